//! AES-GCM with AES-NI and PCLMULQDQ: CTR and GHASH fused in one pass over
//! the data, eight blocks per iteration.
//!
//! GHASH runs on byte-reversed blocks (the reflected field elements as
//! 128-bit integers). H is stored premultiplied by x^-1 so that the plain
//! carry-less product of a reflected block and a stored power needs no
//! shift, and the 256-bit sum of eight products is reduced once with two
//! multiplications by the reflected polynomial constant (Gueron and
//! Kounavis, "Intel Carry-Less Multiplication Instruction and its Usage for
//! Computing the GCM Mode", rev. 2.02, and Gueron, "AES-GCM software
//! performance on the current high end CPUs as a performance baseline for
//! CAESAR", 2013, for aggregated reduction).

// Block and round indices below are loop constants over fixed-size register
// arrays, which reads more plainly than iterator chains.
#![allow(clippy::needless_range_loop)]

use core::arch::x86_64::*;

use crate::aes::RoundKeys;
use crate::aes::x86_64::{encrypt_n, encrypt8, load_keys};
use crate::{cpu, ct};

/// Proof that this CPU has AES-NI (with SSSE3 and SSE4.1) and PCLMULQDQ.
/// It also records whether AVX2 (and so AVX) was detected: then the bulk
/// code is compiled a second time with the three-operand VEX encodings,
/// which spare the register copies of the two-operand SSE forms.
#[derive(Clone, Copy, Debug)]
pub(super) struct AesClmul {
    avx: bool,
}

impl AesClmul {
    fn new() -> Option<Self> {
        let f = cpu::features();
        (f.aesni && f.pclmulqdq).then_some(AesClmul { avx: f.avx2 })
    }
}

/// An AES-GCM key for this backend.
#[derive(Clone)]
pub(super) struct Key {
    rk: [[u8; 16]; 15],
    rounds: usize,
    /// `hpow[i]` is H^(i+1) x^-1, reflected, as the bytes of the register.
    hpow: [[u8; 16]; 8],
    token: AesClmul,
}

impl Key {
    pub(super) fn new(rk: &RoundKeys) -> Option<Self> {
        let token = AesClmul::new()?;
        let rounds = rk.rounds();
        let mut keys = [[0u8; 16]; 15];
        keys[..=rounds].copy_from_slice(rk.keys());
        let mut k = Key { rk: keys, rounds, hpow: [[0u8; 16]; 8], token };
        // SAFETY: `token` proves every feature `init_powers` needs.
        unsafe { init_powers(&mut k) };
        Some(k)
    }

    pub(super) fn j0(&self, iv: &[u8]) -> [u8; 16] {
        let _ = self.token;
        // SAFETY: `token` proves every feature `j0_impl` needs.
        unsafe { j0_impl(self, iv) }
    }

    pub(super) fn seal(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        // SAFETY: `token` proves every feature the implementations need,
        // AVX included when `token.avx` is set.
        unsafe {
            match (self.token.avx, self.rounds) {
                (true, 10) => seal_avx::<10>(self, j0, aad, buf),
                (true, 12) => seal_avx::<12>(self, j0, aad, buf),
                (true, _) => seal_avx::<14>(self, j0, aad, buf),
                (false, 10) => seal_sse::<10>(self, j0, aad, buf),
                (false, 12) => seal_sse::<12>(self, j0, aad, buf),
                (false, _) => seal_sse::<14>(self, j0, aad, buf),
            }
        }
    }

    pub(super) fn open(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        // SAFETY: as in `seal`.
        unsafe {
            match (self.token.avx, self.rounds) {
                (true, 10) => open_avx::<10>(self, j0, aad, buf),
                (true, 12) => open_avx::<12>(self, j0, aad, buf),
                (true, _) => open_avx::<14>(self, j0, aad, buf),
                (false, 10) => open_sse::<10>(self, j0, aad, buf),
                (false, 12) => open_sse::<12>(self, j0, aad, buf),
                (false, _) => open_sse::<14>(self, j0, aad, buf),
            }
        }
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        ct::wipe(self.rk.as_flattened_mut());
        ct::wipe(self.hpow.as_flattened_mut());
    }
}

/// Reverses the 16 bytes of a register (block bytes <-> reflected element).
#[inline(always)]
unsafe fn bswap(x: __m128i) -> __m128i {
    // SAFETY: needs SSSE3; inlined only into functions compiled with at
    // least SSSE3, reached only through a key whose CPU check passed.
    unsafe { _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)) }
}

/// Writes the first `dst.len()` (below 16) bytes of the little-endian
/// `block` to `dst`, in pieces as [`super::partial_block`] reads them.
#[inline(always)]
fn store_partial(dst: &mut [u8], block: u128) {
    let n = dst.len().min(15);
    let bytes = block.to_le_bytes();
    let mut at = 0;
    for piece in [8, 4, 2, 1] {
        if n & piece != 0 {
            dst[at..at + piece].copy_from_slice(&bytes[at..at + piece]);
            at += piece;
        }
    }
}

/// A little-endian 128-bit integer as a register, without a trip through
/// memory.
#[inline(always)]
unsafe fn from_u128(v: u128) -> __m128i {
    // SAFETY: SSE2 only, which every x86_64 CPU has.
    unsafe { _mm_set_epi64x((v >> 64) as i64, v as i64) }
}

/// A register as a little-endian 128-bit integer.
#[inline(always)]
unsafe fn to_u128(x: __m128i) -> u128 {
    // SAFETY: needs SSE4.1; inlined only into functions compiled with it.
    let (lo, hi) = unsafe { (_mm_cvtsi128_si64(x) as u64, _mm_extract_epi64(x, 1) as u64) };
    u128::from(lo) | u128::from(hi) << 64
}

/// J0 (or any 16 bytes) as a register, read as two words, so that it is
/// forwarded from the two word stores that wrote it.
#[inline(always)]
unsafe fn load_j0(j0: &[u8; 16]) -> __m128i {
    let lo = u64::from_le_bytes(core::array::from_fn(|i| j0[i]));
    let hi = u64::from_le_bytes(core::array::from_fn(|i| j0[8 + i]));
    // SAFETY: register operations only.
    unsafe { from_u128(u128::from(lo) | u128::from(hi) << 64) }
}

/// An unreduced 256-bit GHASH sum: `hi * 2^128 + mid * 2^64 + lo`.
#[derive(Clone, Copy)]
struct Wide {
    lo: __m128i,
    mid: __m128i,
    hi: __m128i,
}

impl Wide {
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: needs SSE2 and PCLMULQDQ; inlined only into functions
        // compiled with at least those, reached only through a key whose
        // CPU check passed.
        unsafe { Wide { lo: _mm_setzero_si128(), mid: _mm_setzero_si128(), hi: _mm_setzero_si128() } }
    }

    /// Adds the carry-less product `x * h` (schoolbook, four multiplies).
    #[inline(always)]
    unsafe fn mul_add(&mut self, x: __m128i, h: __m128i) {
        // SAFETY: needs SSE2 and PCLMULQDQ; inlined only into functions
        // compiled with at least those, reached only through a key whose
        // CPU check passed.
        unsafe {
            self.lo = _mm_xor_si128(self.lo, _mm_clmulepi64_si128(x, h, 0x00));
            self.hi = _mm_xor_si128(self.hi, _mm_clmulepi64_si128(x, h, 0x11));
            self.mid = _mm_xor_si128(self.mid, _mm_clmulepi64_si128(x, h, 0x01));
            self.mid = _mm_xor_si128(self.mid, _mm_clmulepi64_si128(x, h, 0x10));
        }
    }

    /// Reduces modulo the GHASH polynomial. With `T = t1 * 2^128 + t0`
    /// holding the reflected product, each of the two steps moves the low
    /// 64 bits of `t0` up by 64 positions while multiplying them by
    /// x^128 mod g (the constant 0xc2 << 56 is x + x^2 + x^7 reflected).
    #[inline(always)]
    unsafe fn reduce(self) -> __m128i {
        // SAFETY: needs SSE2 and PCLMULQDQ; inlined only into functions
        // compiled with at least those, reached only through a key whose
        // CPU check passed.
        unsafe {
            let poly = _mm_set_epi64x(0, 0xc200_0000_0000_0000u64 as i64);
            let t0 = _mm_xor_si128(self.lo, _mm_slli_si128(self.mid, 8));
            let t1 = _mm_xor_si128(self.hi, _mm_srli_si128(self.mid, 8));
            let a = _mm_clmulepi64_si128(t0, poly, 0x00);
            let t0 = _mm_xor_si128(_mm_shuffle_epi32(t0, 0x4e), a);
            let a = _mm_clmulepi64_si128(t0, poly, 0x00);
            let t0 = _mm_xor_si128(_mm_shuffle_epi32(t0, 0x4e), a);
            _mm_xor_si128(t0, t1)
        }
    }
}

/// `x * y` where `y` is a stored power (already times x^-1).
#[inline(always)]
unsafe fn gmul(x: __m128i, y: __m128i) -> __m128i {
    // SAFETY: inlined only into functions compiled with AES-NI, PCLMULQDQ,
    // SSSE3 and SSE4.1, which their callers have proven present.
    unsafe {
        let mut w = Wide::zero();
        w.mul_add(x, y);
        w.reduce()
    }
}

#[target_feature(enable = "aes,pclmulqdq,sse2,ssse3,sse4.1")]
unsafe fn init_powers(k: &mut Key) {
    // SAFETY (whole body): unaligned loads and stores of 16-byte arrays.
    unsafe {
        let rk = load_keys(&k.rk);
        let mut b = [_mm_setzero_si128(); 8];
        encrypt8(&rk, k.rounds, &mut b);
        let mut hb = [0u8; 16];
        _mm_storeu_si128(hb.as_mut_ptr().cast(), b[0]);
        // H as a reflected integer, times x^-1 = x^127 + x^6 + x + 1: a left
        // shift, plus the reflected x^-1 when the x^0 coefficient falls out.
        let h = u128::from_be_bytes(hb);
        let carry = 0u128.wrapping_sub(h >> 127);
        let h1 = (h << 1) ^ (carry & 0xc200_0000_0000_0000_0000_0000_0000_0001);
        k.hpow[0] = h1.to_le_bytes();
        let h1 = _mm_loadu_si128(k.hpow[0].as_ptr().cast());
        let mut p = h1;
        for i in 1..8 {
            p = gmul(p, h1);
            _mm_storeu_si128(k.hpow[i].as_mut_ptr().cast(), p);
        }
        ct::wipe(&mut hb);
    }
}

/// The GHASH accumulator with up to eight blocks waiting, so that a run of
/// short inputs (AAD, the last blocks, the length block) still shares one
/// reduction per eight blocks.
struct Ghash {
    acc: __m128i,
    h: [__m128i; 8],
    pending: [__m128i; 8],
    n: usize,
}

impl Ghash {
    #[inline]
    #[target_feature(enable = "sse2")]
    unsafe fn new(hpow: &[[u8; 16]; 8]) -> Self {
        // SAFETY: unaligned loads of 16-byte arrays.
        let h = core::array::from_fn(|i| unsafe { _mm_loadu_si128(hpow[i].as_ptr().cast()) });
        Ghash { acc: _mm_setzero_si128(), h, pending: [_mm_setzero_si128(); 8], n: 0 }
    }

    /// Queues one reflected block.
    #[inline]
    #[target_feature(enable = "sse2,pclmulqdq")]
    fn push(&mut self, x: __m128i) {
        self.pending[self.n] = x;
        self.n += 1;
        if self.n == 8 {
            self.flush();
        }
    }

    /// Folds the queued blocks into the accumulator:
    /// acc = (acc + b0) H^n + b1 H^(n-1) + ... + b(n-1) H.
    #[inline]
    #[target_feature(enable = "sse2,pclmulqdq")]
    fn flush(&mut self) {
        let n = self.n;
        if n == 0 {
            return;
        }
        // SAFETY: this function has the features `Wide` needs.
        unsafe {
            let mut w = Wide::zero();
            w.mul_add(_mm_xor_si128(self.pending[0], self.acc), self.h[n - 1]);
            for i in 1..n {
                w.mul_add(self.pending[i], self.h[n - 1 - i]);
            }
            self.acc = w.reduce();
        }
        self.n = 0;
    }

    /// Eight blocks at once (nothing may be queued).
    #[inline]
    #[target_feature(enable = "sse2,pclmulqdq")]
    fn absorb8(&mut self, b: &[__m128i; 8]) {
        debug_assert_eq!(self.n, 0);
        // SAFETY: this function has the features `Wide` needs.
        unsafe {
            let mut w = Wide::zero();
            w.mul_add(_mm_xor_si128(b[0], self.acc), self.h[7]);
            for i in 1..8 {
                w.mul_add(b[i], self.h[7 - i]);
            }
            self.acc = w.reduce();
        }
    }

    /// Queues `data` as blocks, zero-padding a partial last one.
    #[inline]
    #[target_feature(enable = "sse2,ssse3,pclmulqdq")]
    unsafe fn push_bytes(&mut self, data: &[u8]) {
        let (blocks, tail) = data.as_chunks::<16>();
        for b in blocks {
            // SAFETY: unaligned 16-byte load of a 16-byte array.
            self.push(unsafe { bswap(_mm_loadu_si128(b.as_ptr().cast())) });
        }
        if !tail.is_empty() {
            // SAFETY: register operations only.
            self.push(unsafe { bswap(from_u128(super::partial_block(tail))) });
        }
    }

    /// Queues the length block: [len(A)]_64 || [len(C)]_64 in bits.
    #[inline]
    #[target_feature(enable = "sse2,pclmulqdq")]
    fn push_lengths(&mut self, a_bytes: usize, c_bytes: usize) {
        let a = (a_bytes as u64).wrapping_mul(8);
        let c = (c_bytes as u64).wrapping_mul(8);
        self.push(_mm_set_epi64x(a as i64, c as i64));
    }

    #[inline]
    #[target_feature(enable = "sse2,ssse3,pclmulqdq")]
    unsafe fn finish(&mut self) -> [u8; 16] {
        self.flush();
        let mut out = [0u8; 16];
        // SAFETY: unaligned store into a 16-byte array.
        unsafe { _mm_storeu_si128(out.as_mut_ptr().cast(), bswap(self.acc)) };
        out
    }
}

#[target_feature(enable = "aes,pclmulqdq,sse2,ssse3,sse4.1")]
unsafe fn j0_impl(k: &Key, iv: &[u8]) -> [u8; 16] {
    // SAFETY (whole body): see `Ghash`.
    unsafe {
        let mut g = Ghash::new(&k.hpow);
        g.push_bytes(iv);
        g.push_lengths(0, iv.len());
        g.finish()
    }
}

/// The counter block `base` with its last word set to `ctr` (big-endian).
#[inline(always)]
unsafe fn counter(base: __m128i, ctr: u32) -> __m128i {
    // SAFETY: inlined only into functions compiled with AES-NI, PCLMULQDQ,
    // SSSE3 and SSE4.1, which their callers have proven present.
    unsafe { _mm_insert_epi32(base, ctr.swap_bytes() as i32, 3) }
}

#[inline(always)]
unsafe fn counters8(base: __m128i, ctr: u32) -> [__m128i; 8] {
    // SAFETY: inlined only into functions compiled with AES-NI, PCLMULQDQ,
    // SSSE3 and SSE4.1, which their callers have proven present.
    unsafe {
        let first = counter(base, ctr);
        // The counter is public. When its low byte does not wrap within the
        // eight blocks, the others are the first plus i in that byte (the
        // top byte of the last little-endian lane): one add each instead of
        // an insert, which competes with PCLMULQDQ for its port.
        if ctr & 0xff <= 0xff - 7 {
            core::array::from_fn(|i| _mm_add_epi32(first, _mm_set_epi32((i as i32) << 24, 0, 0, 0)))
        } else {
            core::array::from_fn(|i| counter(base, ctr.wrapping_add(i as u32)))
        }
    }
}

/// Eight AES encryptions with the GHASH of eight other blocks woven into
/// the rounds: the two run on different execution ports.
#[inline(always)]
unsafe fn aes8_ghash8<const NR: usize>(
    rk: &[__m128i; 15],
    b: &mut [__m128i; 8],
    g: &mut Ghash,
    x: &[__m128i; 8],
) {
    // SAFETY: inlined only into functions compiled with AES-NI, PCLMULQDQ,
    // SSSE3 and SSE4.1, which their callers have proven present.
    unsafe {
        let mut w = Wide::zero();
        for v in b.iter_mut() {
            *v = _mm_xor_si128(*v, rk[0]);
        }
        for r in 1..NR {
            for v in b.iter_mut() {
                *v = _mm_aesenc_si128(*v, rk[r]);
            }
            if r <= 8 {
                let i = r - 1;
                let mut xi = if i == 0 { _mm_xor_si128(x[0], g.acc) } else { x[i] };
                // An empty asm statement that claims to read and rewrite the
                // AES states, this step's GHASH input and the running sums:
                // no instruction is emitted, but the compiler must keep
                // GHASH step `i` between AES rounds `r` and `r + 1`, so the
                // multiplies stay spread among the rounds instead of being
                // gathered into one run that fills the scheduler ahead of
                // the AES instructions.
                core::arch::asm!(
                    "/* {0} {1} {2} {3} {4} {5} {6} {7} {8} {9} {10} {11} */",
                    inout(xmm_reg) b[0],
                    inout(xmm_reg) b[1],
                    inout(xmm_reg) b[2],
                    inout(xmm_reg) b[3],
                    inout(xmm_reg) b[4],
                    inout(xmm_reg) b[5],
                    inout(xmm_reg) b[6],
                    inout(xmm_reg) b[7],
                    inout(xmm_reg) xi,
                    inout(xmm_reg) w.lo,
                    inout(xmm_reg) w.mid,
                    inout(xmm_reg) w.hi,
                    options(pure, nomem, nostack, preserves_flags),
                );
                w.mul_add(xi, g.h[7 - i]);
            }
        }
        for v in b.iter_mut() {
            *v = _mm_aesenclast_si128(*v, rk[NR]);
        }
        g.acc = w.reduce();
    }
}

/// Loads eight blocks from `p`.
#[inline(always)]
unsafe fn load8(p: *const u8) -> [__m128i; 8] {
    // SAFETY: the caller guarantees 128 readable bytes at `p`.
    core::array::from_fn(|i| unsafe { _mm_loadu_si128(p.add(16 * i).cast()) })
}

#[inline(always)]
unsafe fn store8(p: *mut u8, b: &[__m128i; 8]) {
    for (i, v) in b.iter().enumerate() {
        // SAFETY: the caller guarantees 128 writable bytes at `p`.
        unsafe { _mm_storeu_si128(p.add(16 * i).cast(), *v) };
    }
}

/// Encrypts the first `N - 1` counter blocks of `b` and J0 together;
/// returns E(J0).
#[inline(always)]
unsafe fn batch<const N: usize>(
    rk: &[__m128i; 15],
    rounds: usize,
    b: &mut [__m128i; 8],
    j0: __m128i,
) -> __m128i {
    let mut q: [__m128i; N] = core::array::from_fn(|i| if i + 1 == N { j0 } else { b[i] });
    // SAFETY: inlined only into functions compiled with AES-NI.
    unsafe { encrypt_n::<N>(rk, rounds, &mut q) };
    b[..N - 1].copy_from_slice(&q[..N - 1]);
    q[N - 1]
}

/// The tail (under 128 bytes) and the tag mask E(J0), in one batch of
/// exactly as many AES blocks as needed when they fit in eight. Returns
/// E(J0).
#[inline(always)]
#[allow(clippy::too_many_arguments)] // the loop state, passed by value
unsafe fn finish_tail<const SEAL: bool>(
    rk: &[__m128i; 15],
    rounds: usize,
    g: &mut Ghash,
    base: __m128i,
    j0: __m128i,
    ctr: u32,
    lagged: &[u8],
    tail: &mut [u8],
) -> __m128i {
    // SAFETY (whole body): inlined only into `seal_*` and `open_*`, which
    // are compiled with AES-NI, PCLMULQDQ, SSSE3 and SSE4.1 (what `counters8`,
    // `batch` and `bswap` need); `lagged` is read in whole 128-byte
    // chunks; full blocks of `tail` are loaded and stored in place through
    // `as_chunks_mut`, a partial one through a stack block.
    unsafe {
        let mut b = counters8(base, ctr);
        let mask = match tail.len().div_ceil(16) {
            0 => batch::<1>(rk, rounds, &mut b, j0),
            1 => batch::<2>(rk, rounds, &mut b, j0),
            2 => batch::<3>(rk, rounds, &mut b, j0),
            3 => batch::<4>(rk, rounds, &mut b, j0),
            4 => batch::<5>(rk, rounds, &mut b, j0),
            5 => batch::<6>(rk, rounds, &mut b, j0),
            6 => batch::<7>(rk, rounds, &mut b, j0),
            7 => batch::<8>(rk, rounds, &mut b, j0),
            _ => {
                encrypt8(rk, rounds, &mut b);
                let mut m = [j0];
                encrypt_n::<1>(rk, rounds, &mut m);
                m[0]
            }
        };
        // Chunks whose hashing was deferred, after the AES above has been
        // issued so that the two overlap.
        for chunk in lagged.chunks_exact(128) {
            let old = load8(chunk.as_ptr());
            g.absorb8(&core::array::from_fn(|i| bswap(old[i])));
        }
        let (full, part) = tail.as_chunks_mut::<16>();
        for (blk, k) in full.iter_mut().zip(b) {
            let p = blk.as_mut_ptr().cast::<__m128i>();
            let d = _mm_loadu_si128(p);
            let c = if SEAL { _mm_xor_si128(d, k) } else { d };
            g.push(bswap(c));
            _mm_storeu_si128(p, _mm_xor_si128(d, k));
        }
        if !part.is_empty() {
            let d = from_u128(super::partial_block(part));
            let mut out = to_u128(_mm_xor_si128(d, b[full.len()]));
            // The keystream beyond the data is dropped: the ciphertext,
            // zero-padded, is what the seal hashes.
            out &= (1u128 << (8 * part.len())) - 1;
            store_partial(part, out);
            g.push(bswap(if SEAL { from_u128(out) } else { d }));
        }
        mask
    }
}

/// Seal and open compiled for SSE encodings and again for VEX ones; the
/// bodies are inlined into each.
macro_rules! variants {
    ($($name:ident => $body:ident, $features:literal;)*) => {$(
        #[target_feature(enable = $features)]
        unsafe fn $name<const NR: usize>(k: &Key, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
            // SAFETY: the caller proved these features; the body needs no
            // more of them.
            unsafe { $body::<NR>(k, j0, aad, buf) }
        }
    )*};
}

variants! {
    seal_sse => seal_impl, "aes,pclmulqdq,sse2,ssse3,sse4.1";
    seal_avx => seal_impl, "aes,pclmulqdq,sse2,ssse3,sse4.1,avx";
    open_sse => open_impl, "aes,pclmulqdq,sse2,ssse3,sse4.1";
    open_avx => open_impl, "aes,pclmulqdq,sse2,ssse3,sse4.1,avx";
}

#[inline(always)]
unsafe fn seal_impl<const NR: usize>(k: &Key, j0b: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
    // SAFETY (whole body): inlined only into `seal_sse` and `seal_avx`,
    // compiled with the features every intrinsic here needs; every pointer
    // access covers 128 bytes of a 128-byte chunk from `chunks_exact_mut`,
    // or goes through stack arrays.
    unsafe {
        let rk = load_keys(&k.rk);
        let mut g = Ghash::new(&k.hpow);
        g.push_bytes(aad);
        let j0 = load_j0(j0b);
        let mut ctr = u32::from_be_bytes([j0b[12], j0b[13], j0b[14], j0b[15]]).wrapping_add(1);
        let total = buf.len();
        let bulk_len = total / 128 * 128;
        let (bulk, tail) = buf.split_at_mut(bulk_len);
        // Chunk k is encrypted while chunk k - 2 is hashed: its ciphertext
        // was stored long before, so the multiplies never wait on the AES
        // rounds in flight (hashing chunk k - 1 would stall on them).
        let n = bulk.len() / 128;
        let p = bulk.as_mut_ptr();
        if n > 0 {
            g.flush();
        }
        for k in 0..n {
            let mut b = counters8(j0, ctr);
            ctr = ctr.wrapping_add(8);
            if k >= 2 {
                let old = load8(p.add(128 * (k - 2)));
                let x: [__m128i; 8] = core::array::from_fn(|i| bswap(old[i]));
                aes8_ghash8::<NR>(&rk, &mut b, &mut g, &x);
            } else {
                encrypt8(&rk, NR, &mut b);
            }
            let d = load8(p.add(128 * k));
            for i in 0..8 {
                b[i] = _mm_xor_si128(b[i], d[i]);
            }
            store8(p.add(128 * k), &b);
        }
        let lagged = &bulk[n.saturating_sub(2) * 128..];
        let mask = finish_tail::<true>(&rk, NR, &mut g, j0, j0, ctr, lagged, tail);
        g.push_lengths(aad.len(), total);
        let s = g.finish();
        let mut tag = [0u8; 16];
        _mm_storeu_si128(tag.as_mut_ptr().cast(), _mm_xor_si128(_mm_loadu_si128(s.as_ptr().cast()), mask));
        tag
    }
}

#[inline(always)]
unsafe fn open_impl<const NR: usize>(k: &Key, j0b: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
    // SAFETY (whole body): as in `seal_impl` (inlined only into `open_sse`
    // and `open_avx`).
    unsafe {
        let rk = load_keys(&k.rk);
        let mut g = Ghash::new(&k.hpow);
        g.push_bytes(aad);
        let j0 = load_j0(j0b);
        let mut ctr = u32::from_be_bytes([j0b[12], j0b[13], j0b[14], j0b[15]]).wrapping_add(1);
        let total = buf.len();
        let bulk_len = total / 128 * 128;
        let (bulk, tail) = buf.split_at_mut(bulk_len);
        if !bulk.is_empty() {
            g.flush();
        }
        for chunk in bulk.chunks_exact_mut(128) {
            let d = load8(chunk.as_ptr());
            let x: [__m128i; 8] = core::array::from_fn(|i| bswap(d[i]));
            let mut b = counters8(j0, ctr);
            ctr = ctr.wrapping_add(8);
            aes8_ghash8::<NR>(&rk, &mut b, &mut g, &x);
            for i in 0..8 {
                b[i] = _mm_xor_si128(b[i], d[i]);
            }
            store8(chunk.as_mut_ptr(), &b);
        }
        let mask = finish_tail::<false>(&rk, NR, &mut g, j0, j0, ctr, &[], tail);
        g.push_lengths(aad.len(), total);
        let s = g.finish();
        let mut tag = [0u8; 16];
        _mm_storeu_si128(tag.as_mut_ptr().cast(), _mm_xor_si128(_mm_loadu_si128(s.as_ptr().cast()), mask));
        tag
    }
}
