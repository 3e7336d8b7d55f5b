//! SHA-256 compression on x86_64, two ways.
//!
//! - SHA-NI: the state is kept as the two halves SHA256RNDS2 wants, ABEF and
//!   CDGH; each instruction does two rounds, and SHA256MSG1/MSG2 compute the
//!   schedule four words at a time (Intel, "New Instructions Supporting the
//!   Secure Hash Algorithm on Intel Architecture Processors", 2013).
//! - AVX2 + BMI2, for CPUs without SHA-NI (and for SHA-512): the message
//!   schedules of two blocks are computed together, one block per 128-bit
//!   lane (four 32-bit or two 64-bit words a step); the rounds stay scalar
//!   (RORX and ANDN keep them short).

use core::arch::x86_64::*;

use super::{K256, K512, soft};
use crate::cpu;

/// Proof that this CPU has SHA-NI, SSSE3 and SSE4.1: only [`ShaNi::new`]
/// makes one, after detection said yes.
#[derive(Clone, Copy, Debug)]
pub(super) struct ShaNi(());

impl ShaNi {
    pub(super) fn new() -> Option<Self> {
        cpu::features().sha_ni.then_some(ShaNi(()))
    }

    #[inline]
    pub(super) fn compress256(self, state: &mut [u32; 8], blocks: &[[u8; 64]]) {
        // SAFETY: a `ShaNi` exists only when the CPU has every feature that
        // `compress256_shani` is compiled for.
        unsafe { compress256_shani(state, blocks) }
    }
}

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
unsafe fn compress256_shani(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    // SAFETY (whole body): every load and store is unaligned (`loadu`/`storeu`)
    // and stays inside `state` (32 bytes), `block` (64 bytes) or `K256`
    // (256 bytes), by the constant offsets below.
    unsafe {
        // Byte order within each 32-bit word: the message is big-endian.
        let bswap = _mm_set_epi64x(0x0c0d0e0f_08090a0b, 0x04050607_00010203);
        let dcba = _mm_loadu_si128(state.as_ptr().cast());
        let hgfe = _mm_loadu_si128(state.as_ptr().add(4).cast());
        let cdab = _mm_shuffle_epi32(dcba, 0xb1);
        let efgh = _mm_shuffle_epi32(hgfe, 0x1b);
        let mut abef = _mm_alignr_epi8(cdab, efgh, 8);
        let mut cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

        for block in blocks {
            let (abef0, cdgh0) = (abef, cdgh);
            let p = block.as_ptr();
            let mut w = [
                _mm_shuffle_epi8(_mm_loadu_si128(p.cast()), bswap),
                _mm_shuffle_epi8(_mm_loadu_si128(p.add(16).cast()), bswap),
                _mm_shuffle_epi8(_mm_loadu_si128(p.add(32).cast()), bswap),
                _mm_shuffle_epi8(_mm_loadu_si128(p.add(48).cast()), bswap),
            ];
            // 16 groups of four rounds; group i uses schedule words 4i..4i+3.
            // Written out so every index is a constant and `w` stays in registers.
            macro_rules! group {
                ($($i:literal)*) => {$(
                    if $i >= 4 {
                        let prev = w[($i + 3) % 4];
                        let t = _mm_add_epi32(
                            _mm_sha256msg1_epu32(w[$i % 4], w[($i + 1) % 4]),
                            _mm_alignr_epi8(prev, w[($i + 2) % 4], 4),
                        );
                        w[$i % 4] = _mm_sha256msg2_epu32(t, prev);
                    }
                    let k = _mm_loadu_si128(K256.as_ptr().add(4 * $i).cast());
                    let wk = _mm_add_epi32(w[$i % 4], k);
                    // Two rounds each: after the first, the old ABEF is the new
                    // CDGH, so the second call's roles are already in place.
                    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
                    abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
                )*};
            }
            group!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
            abef = _mm_add_epi32(abef, abef0);
            cdgh = _mm_add_epi32(cdgh, cdgh0);
        }

        let feba = _mm_shuffle_epi32(abef, 0x1b);
        let dchg = _mm_shuffle_epi32(cdgh, 0xb1);
        let dcba = _mm_blend_epi16(feba, dchg, 0xf0);
        let hgfe = _mm_alignr_epi8(dchg, feba, 8);
        _mm_storeu_si128(state.as_mut_ptr().cast(), dcba);
        _mm_storeu_si128(state.as_mut_ptr().add(4).cast(), hgfe);
    }
}

/// Proof that this CPU has AVX2, BMI1 and BMI2.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2(());

impl Avx2 {
    pub(super) fn new() -> Option<Self> {
        let f = cpu::features();
        (f.avx2 && f.bmi1 && f.bmi2).then_some(Avx2(()))
    }

    #[inline]
    pub(super) fn compress256(self, state: &mut [u32; 8], blocks: &[[u8; 64]]) {
        // SAFETY: an `Avx2` exists only when the CPU has every feature that
        // `compress256_avx2` is compiled for.
        unsafe { compress256_avx2(state, blocks) }
    }

    #[inline]
    pub(super) fn compress512(self, state: &mut [u64; 8], blocks: &[[u8; 128]]) {
        // SAFETY: as above, for `compress512_avx2`.
        unsafe { compress512_avx2(state, blocks) }
    }
}

/// 32-bit rotate right of each lane (AVX2 has no rotate instruction).
#[inline]
#[target_feature(enable = "avx2")]
fn ror32<const R: i32, const L: i32>(x: __m256i) -> __m256i {
    _mm256_or_si256(_mm256_srli_epi32::<R>(x), _mm256_slli_epi32::<L>(x))
}

/// σ0 of FIPS 180-4 on every lane.
#[inline]
#[target_feature(enable = "avx2")]
fn small_sigma0(x: __m256i) -> __m256i {
    _mm256_xor_si256(_mm256_xor_si256(ror32::<7, 25>(x), ror32::<18, 14>(x)), _mm256_srli_epi32::<3>(x))
}

/// σ1 of FIPS 180-4 on every lane.
#[inline]
#[target_feature(enable = "avx2")]
fn small_sigma1(x: __m256i) -> __m256i {
    _mm256_xor_si256(_mm256_xor_si256(ror32::<17, 15>(x), ror32::<19, 13>(x)), _mm256_srli_epi32::<10>(x))
}

/// The next four schedule words of each lane's block, from the previous
/// sixteen (`x0` oldest). W[t+2] and W[t+3] need σ1 of W[t] and W[t+1], so σ1
/// is applied in two halves.
#[inline]
#[target_feature(enable = "avx2")]
fn schedule4(x0: __m256i, x1: __m256i, x2: __m256i, x3: __m256i) -> __m256i {
    let low_half = _mm256_set_epi32(0, 0, -1, -1, 0, 0, -1, -1);
    let high_half = _mm256_set_epi32(-1, -1, 0, 0, -1, -1, 0, 0);
    let w15 = _mm256_alignr_epi8::<4>(x1, x0); // W[t-15..t-12]
    let w7 = _mm256_alignr_epi8::<4>(x3, x2); // W[t-7..t-4]
    let mut n = _mm256_add_epi32(_mm256_add_epi32(x0, small_sigma0(w15)), w7);
    // σ1(W[t-2]), σ1(W[t-1]) into words 0 and 1.
    let s1 = small_sigma1(_mm256_shuffle_epi32::<0xee>(x3));
    n = _mm256_add_epi32(n, _mm256_and_si256(s1, low_half));
    // σ1(W[t]), σ1(W[t+1]) into words 2 and 3.
    let s1 = small_sigma1(_mm256_shuffle_epi32::<0x44>(n));
    _mm256_add_epi32(n, _mm256_and_si256(s1, high_half))
}

/// Calls `$sched.step(j, &mut $out)` for each listed constant `j`.
macro_rules! unrolled {
    ($sched:ident, $out:ident; $($j:literal)*) => {
        $( $sched.step($j, &mut $out); )*
    };
}

/// Two blocks' message schedules, four words per step, one block per lane.
struct PairSchedule<'a> {
    blocks: [&'a [u8; 64]; 2],
    x: [__m256i; 4],
}

impl<'a> PairSchedule<'a> {
    #[inline]
    #[target_feature(enable = "avx2")]
    fn new(b0: &'a [u8; 64], b1: &'a [u8; 64]) -> Self {
        PairSchedule { blocks: [b0, b1], x: [_mm256_setzero_si256(); 4] }
    }

    /// Step `j` (0..16): words 4j..4j+3 of both schedules, plus the round
    /// constants, stored into `out[0]` and, when there are two rows, `out[1]`
    /// (a lone block is scheduled in both lanes, and only one row is kept).
    /// `j` is a loop constant.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn step<const ROWS: usize>(&mut self, j: usize, out: &mut [[u32; 64]; ROWS]) {
        // Callers pass constants, so this costs nothing; it keeps the raw
        // offsets below in bounds for any caller.
        assert!(j < 16);
        let x = &mut self.x;
        if j < 4 {
            let bswap = _mm256_set_epi64x(
                0x0c0d0e0f_08090a0b,
                0x04050607_00010203,
                0x0c0d0e0f_08090a0b,
                0x04050607_00010203,
            );
            // SAFETY: 16-byte unaligned loads at offset 16j <= 48 of 64-byte blocks.
            let (lo, hi) = unsafe {
                (
                    _mm_loadu_si128(self.blocks[0].as_ptr().add(16 * j).cast()),
                    _mm_loadu_si128(self.blocks[1].as_ptr().add(16 * j).cast()),
                )
            };
            x[j] = _mm256_shuffle_epi8(_mm256_set_m128i(hi, lo), bswap);
        } else {
            x[j % 4] = schedule4(x[j % 4], x[(j + 1) % 4], x[(j + 2) % 4], x[(j + 3) % 4]);
        }
        // SAFETY: a 16-byte load at word 4j <= 60 of the 64-word `K256`, and
        // 16-byte stores at word 4j <= 60 of 64-word rows.
        unsafe {
            let k = _mm256_broadcastsi128_si256(_mm_loadu_si128(K256.as_ptr().add(4 * j).cast()));
            let v = _mm256_add_epi32(x[j % 4], k);
            _mm_storeu_si128(out[0].as_mut_ptr().add(4 * j).cast(), _mm256_castsi256_si128(v));
            if let Some(row) = out.get_mut(1) {
                _mm_storeu_si128(row.as_mut_ptr().add(4 * j).cast(), _mm256_extracti128_si256::<1>(v));
            }
        }
    }
}

#[target_feature(enable = "avx2,bmi1,bmi2")]
unsafe fn compress256_avx2(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    let (pairs, lone) = blocks.as_chunks::<2>();
    for [b0, b1] in pairs {
        let mut wk = [[0u32; 64]; 2];
        let mut sched = PairSchedule::new(b0, b1);
        // Written out so that every index is a constant and the schedule
        // stays in registers (a loop here keeps it on the stack).
        unrolled!(sched, wk; 0 1 2 3);
        rounds_with_schedule(state, &mut sched, &mut wk);
        soft::rounds256_wk(state, &wk[1]);
        // The schedule starts with the message, which may be key material
        // (HMAC pads).
        crate::ct::wipe_words(wk.as_flattened_mut());
    }
    // A lone last block (HMAC's pads and outer hash, short messages) is
    // scheduled in both lanes but keeps one row: half the stores and wipes.
    if let [b0] = lone {
        let mut wk = [[0u32; 64]; 1];
        let mut sched = PairSchedule::new(b0, b0);
        unrolled!(sched, wk; 0 1 2 3);
        rounds_with_schedule(state, &mut sched, &mut wk);
        crate::ct::wipe_words(wk.as_flattened_mut());
    }
}

/// The 64 rounds of the first block of a pair, with the rest of the pair's
/// schedule (steps 4 to 15) computed among them: two vector steps ahead of
/// each group of eight rounds, so the vector work fills the gaps of the
/// rounds' dependency chain instead of running before it. The words group
/// `g` reads were stored two groups earlier. Fully written out, so that
/// every schedule index is a constant.
#[inline]
#[target_feature(enable = "avx2,bmi1,bmi2")]
fn rounds_with_schedule<const ROWS: usize>(
    state: &mut [u32; 8],
    sched: &mut PairSchedule<'_>,
    wk: &mut [[u32; 64]; ROWS],
) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    macro_rules! eight {
        ($t:expr) => {
            eight_rounds!(wk[0], $t, [2, 13, 22], [6, 11, 25], a, b, c, d, e, f, g, h);
        };
    }
    sched.step(4, wk);
    sched.step(5, wk);
    eight!(0);
    sched.step(6, wk);
    sched.step(7, wk);
    eight!(8);
    sched.step(8, wk);
    sched.step(9, wk);
    eight!(16);
    sched.step(10, wk);
    sched.step(11, wk);
    eight!(24);
    sched.step(12, wk);
    sched.step(13, wk);
    eight!(32);
    sched.step(14, wk);
    sched.step(15, wk);
    eight!(40);
    eight!(48);
    eight!(56);
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

/// 64-bit rotate right of each lane.
#[inline]
#[target_feature(enable = "avx2")]
fn ror64<const R: i32, const L: i32>(x: __m256i) -> __m256i {
    _mm256_or_si256(_mm256_srli_epi64::<R>(x), _mm256_slli_epi64::<L>(x))
}

/// Two blocks' SHA-512 message schedules, two words per step, one block per lane.
struct PairSchedule512<'a> {
    blocks: [&'a [u8; 128]; 2],
    x: [__m256i; 8],
}

impl<'a> PairSchedule512<'a> {
    #[inline]
    #[target_feature(enable = "avx2")]
    fn new(b0: &'a [u8; 128], b1: &'a [u8; 128]) -> Self {
        PairSchedule512 { blocks: [b0, b1], x: [_mm256_setzero_si256(); 8] }
    }

    /// Step `j` (0..40): words 2j and 2j+1 of both schedules plus the round
    /// constants, into `out[0]` and `out[1]`. `j` is a loop constant. With two
    /// words a step, σ1 needs only words of earlier steps.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn step(&mut self, j: usize, out: &mut [[u64; 80]; 2]) {
        assert!(j < 40); // as in the SHA-256 schedule
        let x = &mut self.x;
        if j < 8 {
            let bswap = _mm256_set_epi64x(
                0x08090a0b_0c0d0e0f,
                0x00010203_04050607,
                0x08090a0b_0c0d0e0f,
                0x00010203_04050607,
            );
            // SAFETY: 16-byte unaligned loads at offset 16j <= 112 of 128-byte blocks.
            let (lo, hi) = unsafe {
                (
                    _mm_loadu_si128(self.blocks[0].as_ptr().add(16 * j).cast()),
                    _mm_loadu_si128(self.blocks[1].as_ptr().add(16 * j).cast()),
                )
            };
            x[j] = _mm256_shuffle_epi8(_mm256_set_m128i(hi, lo), bswap);
        } else {
            let w15 = _mm256_alignr_epi8::<8>(x[(j + 1) % 8], x[j % 8]); // W[t-15..t-14]
            let w7 = _mm256_alignr_epi8::<8>(x[(j + 5) % 8], x[(j + 4) % 8]); // W[t-7..t-6]
            let w2 = x[(j + 7) % 8]; // W[t-2..t-1]
            let s0 = _mm256_xor_si256(
                _mm256_xor_si256(ror64::<1, 63>(w15), ror64::<8, 56>(w15)),
                _mm256_srli_epi64::<7>(w15),
            );
            let s1 = _mm256_xor_si256(
                _mm256_xor_si256(ror64::<19, 45>(w2), ror64::<61, 3>(w2)),
                _mm256_srli_epi64::<6>(w2),
            );
            x[j % 8] = _mm256_add_epi64(_mm256_add_epi64(x[j % 8], s0), _mm256_add_epi64(w7, s1));
        }
        // SAFETY: a 16-byte load at word 2j <= 78 of the 80-word `K512`, and
        // 16-byte stores at word 2j <= 78 of 80-word rows.
        unsafe {
            let k = _mm256_broadcastsi128_si256(_mm_loadu_si128(K512.as_ptr().add(2 * j).cast()));
            let v = _mm256_add_epi64(x[j % 8], k);
            _mm_storeu_si128(out[0].as_mut_ptr().add(2 * j).cast(), _mm256_castsi256_si128(v));
            _mm_storeu_si128(out[1].as_mut_ptr().add(2 * j).cast(), _mm256_extracti128_si256::<1>(v));
        }
    }
}

/// The 80 rounds of the first block of a pair, with the rest of the pair's
/// schedule (steps 8 to 39, two words each) computed among them: four
/// vector steps ahead of each group of eight rounds, as
/// [`rounds_with_schedule`] does for SHA-256.
#[inline]
#[target_feature(enable = "avx2,bmi1,bmi2")]
fn rounds512_with_schedule(state: &mut [u64; 8], sched: &mut PairSchedule512<'_>, wk: &mut [[u64; 80]; 2]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    macro_rules! eight {
        ($t:expr) => {
            eight_rounds!(wk[0], $t, [28, 34, 39], [14, 18, 41], a, b, c, d, e, f, g, h);
        };
    }
    macro_rules! group {
        ($t:expr; $($j:literal)*) => {
            $( sched.step($j, wk); )*
            eight!($t);
        };
    }
    group!(0; 8 9 10 11);
    group!(8; 12 13 14 15);
    group!(16; 16 17 18 19);
    group!(24; 20 21 22 23);
    group!(32; 24 25 26 27);
    group!(40; 28 29 30 31);
    group!(48; 32 33 34 35);
    group!(56; 36 37 38 39);
    eight!(64);
    eight!(72);
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

#[target_feature(enable = "avx2,bmi1,bmi2")]
unsafe fn compress512_avx2(state: &mut [u64; 8], blocks: &[[u8; 128]]) {
    for pair in blocks.chunks(2) {
        // An odd last block is scheduled in both lanes; the copy is unused.
        let (b0, b1) = (&pair[0], pair.get(1).unwrap_or(&pair[0]));
        let mut wk = [[0u64; 80]; 2];
        let mut sched = PairSchedule512::new(b0, b1);
        unrolled!(sched, wk; 0 1 2 3 4 5 6 7);
        rounds512_with_schedule(state, &mut sched, &mut wk);
        if pair.len() == 2 {
            soft::rounds512_wk(state, &wk[1]);
        }
        crate::ct::wipe_words(wk.as_flattened_mut());
    }
}
