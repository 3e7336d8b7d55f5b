//! AES-GCM with the ARMv8 AES and PMULL instructions: CTR and GHASH fused in
//! one pass, eight blocks per iteration, eight precomputed powers of H and
//! one reduction per eight blocks.
//!
//! The GHASH arithmetic is the one of `x86_64.rs` (reflected elements, H
//! stored times x^-1, two-step reduction by the constant 0xc2 << 56), with
//! PMULL/PMULL2 in place of PCLMULQDQ.

// Block and round indices below are loop constants over fixed-size register
// arrays, which reads more plainly than iterator chains.
#![allow(clippy::needless_range_loop)]

use core::arch::aarch64::*;

use crate::aes::RoundKeys;
use crate::aes::aarch64::{encrypt_n, encrypt8, load_keys};
use crate::{cpu, ct};

/// Proof that this CPU has the AES and PMULL instructions.
#[derive(Clone, Copy, Debug)]
pub(super) struct AesPmull(());

impl AesPmull {
    fn new() -> Option<Self> {
        let f = cpu::features();
        (f.a64_aes && f.a64_pmull).then_some(AesPmull(()))
    }
}

/// An AES-GCM key for this backend.
#[derive(Clone)]
pub(super) struct Key {
    rk: [[u8; 16]; 15],
    rounds: usize,
    /// `hpow[i]` is H^(i+1) x^-1, reflected, as the bytes of the register.
    hpow: [[u8; 16]; 8],
    token: AesPmull,
}

impl Key {
    pub(super) fn new(rk: &RoundKeys) -> Option<Self> {
        let token = AesPmull::new()?;
        let rounds = rk.rounds();
        let mut keys = [[0u8; 16]; 15];
        keys[..=rounds].copy_from_slice(rk.keys());
        let mut k = Key { rk: keys, rounds, hpow: [[0u8; 16]; 8], token };
        // SAFETY: `token` proves the AES and PMULL instructions are present.
        unsafe { init_powers(&mut k) };
        Some(k)
    }

    pub(super) fn j0(&self, iv: &[u8]) -> [u8; 16] {
        let _ = self.token;
        // SAFETY: `token` proves the AES and PMULL instructions are present.
        unsafe { j0_impl(self, iv) }
    }

    pub(super) fn seal(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        // SAFETY: `token` proves the AES and PMULL instructions are present.
        unsafe {
            match self.rounds {
                10 => run::<10, true>(self, j0, aad, buf),
                12 => run::<12, true>(self, j0, aad, buf),
                _ => run::<14, true>(self, j0, aad, buf),
            }
        }
    }

    pub(super) fn open(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        // SAFETY: `token` proves the AES and PMULL instructions are present.
        unsafe {
            match self.rounds {
                10 => run::<10, false>(self, j0, aad, buf),
                12 => run::<12, false>(self, j0, aad, buf),
                _ => run::<14, false>(self, j0, aad, buf),
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

/// Reverses the 16 bytes of a register.
#[inline]
#[target_feature(enable = "neon")]
fn bswap(x: uint8x16_t) -> uint8x16_t {
    let r = vrev64q_u8(x);
    vextq_u8::<8>(r, r)
}

#[inline]
#[target_feature(enable = "neon")]
fn lo64(x: uint8x16_t) -> u64 {
    vgetq_lane_u64::<0>(vreinterpretq_u64_u8(x))
}

#[inline]
#[target_feature(enable = "neon")]
fn hi64(x: uint8x16_t) -> u64 {
    vgetq_lane_u64::<1>(vreinterpretq_u64_u8(x))
}

/// The 128-bit carry-less product of two 64-bit words.
#[inline]
#[target_feature(enable = "neon,aes")]
fn pmull(a: u64, b: u64) -> uint8x16_t {
    vreinterpretq_u8_p128(vmull_p64(a, b))
}

/// An unreduced 256-bit GHASH sum: `hi * 2^128 + mid * 2^64 + lo`.
#[derive(Clone, Copy)]
struct Wide {
    lo: uint8x16_t,
    mid: uint8x16_t,
    hi: uint8x16_t,
}

impl Wide {
    #[inline]
    #[target_feature(enable = "neon")]
    fn zero() -> Self {
        Wide { lo: vdupq_n_u8(0), mid: vdupq_n_u8(0), hi: vdupq_n_u8(0) }
    }

    #[inline]
    #[target_feature(enable = "neon,aes")]
    fn mul_add(&mut self, x: uint8x16_t, h: uint8x16_t) {
        let (x0, x1, h0, h1) = (lo64(x), hi64(x), lo64(h), hi64(h));
        self.lo = veorq_u8(self.lo, pmull(x0, h0));
        self.hi = veorq_u8(
            self.hi,
            vreinterpretq_u8_p128(vmull_high_p64(vreinterpretq_p64_u8(x), vreinterpretq_p64_u8(h))),
        );
        self.mid = veorq_u8(self.mid, veorq_u8(pmull(x0, h1), pmull(x1, h0)));
    }

    /// Reduces modulo the GHASH polynomial (see `x86_64.rs`).
    #[inline]
    #[target_feature(enable = "neon,aes")]
    fn reduce(self) -> uint8x16_t {
        let zero = vdupq_n_u8(0);
        let c = 0xc200_0000_0000_0000u64;
        let t0 = veorq_u8(self.lo, vextq_u8::<8>(zero, self.mid));
        let t1 = veorq_u8(self.hi, vextq_u8::<8>(self.mid, zero));
        let t0 = veorq_u8(vextq_u8::<8>(t0, t0), pmull(lo64(t0), c));
        let t0 = veorq_u8(vextq_u8::<8>(t0, t0), pmull(lo64(t0), c));
        veorq_u8(t0, t1)
    }
}

#[target_feature(enable = "neon,aes")]
unsafe fn init_powers(k: &mut Key) {
    // SAFETY (whole body): 16-byte loads and stores of 16-byte arrays.
    unsafe {
        let rk = load_keys(&k.rk);
        let mut b = [vdupq_n_u8(0); 8];
        encrypt8(&rk, k.rounds, &mut b);
        let mut hb = [0u8; 16];
        vst1q_u8(hb.as_mut_ptr(), b[0]);
        let h = u128::from_be_bytes(hb);
        let carry = 0u128.wrapping_sub(h >> 127);
        let h1 = (h << 1) ^ (carry & 0xc200_0000_0000_0000_0000_0000_0000_0001);
        k.hpow[0] = h1.to_le_bytes();
        let h1 = vld1q_u8(k.hpow[0].as_ptr());
        let mut p = h1;
        for i in 1..8 {
            let mut w = Wide::zero();
            w.mul_add(p, h1);
            p = w.reduce();
            vst1q_u8(k.hpow[i].as_mut_ptr(), p);
        }
        ct::wipe(&mut hb);
    }
}

/// The GHASH accumulator with up to eight queued blocks.
struct Ghash {
    acc: uint8x16_t,
    h: [uint8x16_t; 8],
    pending: [uint8x16_t; 8],
    n: usize,
}

impl Ghash {
    #[inline]
    #[target_feature(enable = "neon")]
    unsafe fn new(hpow: &[[u8; 16]; 8]) -> Self {
        // SAFETY: 16-byte loads of 16-byte arrays.
        let h = core::array::from_fn(|i| unsafe { vld1q_u8(hpow[i].as_ptr()) });
        Ghash { acc: vdupq_n_u8(0), h, pending: [vdupq_n_u8(0); 8], n: 0 }
    }

    #[inline]
    #[target_feature(enable = "neon,aes")]
    fn push(&mut self, x: uint8x16_t) {
        self.pending[self.n] = x;
        self.n += 1;
        if self.n == 8 {
            self.flush();
        }
    }

    #[inline]
    #[target_feature(enable = "neon,aes")]
    fn flush(&mut self) {
        let n = self.n;
        if n == 0 {
            return;
        }
        let mut w = Wide::zero();
        w.mul_add(veorq_u8(self.pending[0], self.acc), self.h[n - 1]);
        for i in 1..n {
            w.mul_add(self.pending[i], self.h[n - 1 - i]);
        }
        self.acc = w.reduce();
        self.n = 0;
    }

    #[inline]
    #[target_feature(enable = "neon,aes")]
    unsafe fn push_bytes(&mut self, data: &[u8]) {
        let (blocks, tail) = data.as_chunks::<16>();
        for b in blocks {
            // SAFETY: 16-byte load of a 16-byte array.
            self.push(bswap(unsafe { vld1q_u8(b.as_ptr()) }));
        }
        if !tail.is_empty() {
            let b = super::partial_block(tail).to_le_bytes();
            // SAFETY: as above.
            self.push(bswap(unsafe { vld1q_u8(b.as_ptr()) }));
        }
    }

    #[inline]
    #[target_feature(enable = "neon,aes")]
    fn push_lengths(&mut self, a_bytes: usize, c_bytes: usize) {
        let a = (a_bytes as u64).wrapping_mul(8);
        let c = (c_bytes as u64).wrapping_mul(8);
        self.push(vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(c), vcreate_u64(a))));
    }

    #[inline]
    #[target_feature(enable = "neon,aes")]
    unsafe fn finish(mut self) -> uint8x16_t {
        self.flush();
        bswap(self.acc)
    }
}

#[target_feature(enable = "neon,aes")]
unsafe fn j0_impl(k: &Key, iv: &[u8]) -> [u8; 16] {
    // SAFETY (whole body): see `Ghash`; the store targets a 16-byte array.
    unsafe {
        let mut g = Ghash::new(&k.hpow);
        g.push_bytes(iv);
        g.push_lengths(0, iv.len());
        let mut out = [0u8; 16];
        vst1q_u8(out.as_mut_ptr(), g.finish());
        out
    }
}

#[inline]
#[target_feature(enable = "neon")]
fn counters8(base: uint32x4_t, ctr: u32) -> [uint8x16_t; 8] {
    core::array::from_fn(|i| {
        vreinterpretq_u8_u32(vsetq_lane_u32::<3>(ctr.wrapping_add(i as u32).swap_bytes(), base))
    })
}

/// Eight AES encryptions with the GHASH of eight blocks woven into the
/// rounds.
#[inline]
#[target_feature(enable = "neon,aes")]
fn aes8_ghash8<const NR: usize>(
    rk: &[uint8x16_t; 15],
    b: &mut [uint8x16_t; 8],
    g: &mut Ghash,
    x: &[uint8x16_t; 8],
) {
    let mut w = Wide::zero();
    for r in 0..NR - 1 {
        for v in b.iter_mut() {
            *v = vaesmcq_u8(vaeseq_u8(*v, rk[r]));
        }
        if r < 8 {
            let xi = if r == 0 { veorq_u8(x[0], g.acc) } else { x[r] };
            w.mul_add(xi, g.h[7 - r]);
        }
    }
    for v in b.iter_mut() {
        *v = veorq_u8(vaeseq_u8(*v, rk[NR - 1]), rk[NR]);
    }
    g.acc = w.reduce();
}

/// Seals (`SEAL`) or opens `buf` in place and returns the full tag.
#[target_feature(enable = "neon,aes")]
unsafe fn run<const NR: usize, const SEAL: bool>(
    k: &Key,
    j0b: &[u8; 16],
    aad: &[u8],
    buf: &mut [u8],
) -> [u8; 16] {
    // SAFETY (whole body): every vector load or store covers 16 bytes inside
    // `bulk` (chunk k spans bytes 128k..128k+128 of it, k < n), or inside a
    // stack array.
    unsafe {
        let rk = load_keys(&k.rk);
        let mut g = Ghash::new(&k.hpow);
        g.push_bytes(aad);
        let j0 = vld1q_u8(j0b.as_ptr());
        let base = vreinterpretq_u32_u8(j0);
        let mut ctr = u32::from_be_bytes([j0b[12], j0b[13], j0b[14], j0b[15]]).wrapping_add(1);
        let total = buf.len();
        let (bulk, tail) = buf.split_at_mut(total / 128 * 128);
        if !bulk.is_empty() {
            g.flush();
        }
        // Opening hashes each chunk's ciphertext while decrypting it;
        // sealing hashes chunk k - 2 while encrypting chunk k, so the
        // multiplies never wait on AES results still in flight.
        let n = bulk.len() / 128;
        let p = bulk.as_mut_ptr();
        for k in 0..n {
            let q = p.add(128 * k);
            let d: [uint8x16_t; 8] = core::array::from_fn(|i| vld1q_u8(q.add(16 * i)));
            let mut b = counters8(base, ctr);
            ctr = ctr.wrapping_add(8);
            if !SEAL {
                let x = core::array::from_fn(|i| bswap(d[i]));
                aes8_ghash8::<NR>(&rk, &mut b, &mut g, &x);
            } else if k >= 2 {
                let old = p.add(128 * (k - 2));
                let x = core::array::from_fn(|i| bswap(vld1q_u8(old.add(16 * i))));
                aes8_ghash8::<NR>(&rk, &mut b, &mut g, &x);
            } else {
                encrypt8(&rk, NR, &mut b);
            }
            for i in 0..8 {
                vst1q_u8(q.add(16 * i), veorq_u8(b[i], d[i]));
            }
        }
        if SEAL {
            for k in n.saturating_sub(2)..n {
                let old = p.add(128 * k);
                for i in 0..8 {
                    g.push(bswap(vld1q_u8(old.add(16 * i))));
                }
            }
        }
        // The tail, and E(J0) batched with it when they fit in four or
        // eight blocks; a lone J0 costs one block.
        let nblocks = tail.len().div_ceil(16);
        let mut b = counters8(base, ctr);
        let mask;
        if nblocks == 0 {
            let mut m = [j0];
            encrypt_n::<1>(&rk, NR, &mut m);
            mask = m[0];
        } else if nblocks < 4 {
            let mut q = [b[0], b[1], b[2], b[3]];
            q[nblocks] = j0;
            encrypt_n::<4>(&rk, NR, &mut q);
            mask = q[nblocks];
            b[..4].copy_from_slice(&q);
        } else if nblocks < 8 {
            b[nblocks] = j0;
            encrypt8(&rk, NR, &mut b);
            mask = b[nblocks];
        } else {
            let mut m = [j0];
            encrypt8(&rk, NR, &mut b);
            encrypt_n::<1>(&rk, NR, &mut m);
            mask = m[0];
        }
        if nblocks > 0 {
            let mut tmp = [0u8; 128];
            tmp[..tail.len()].copy_from_slice(tail);
            if !SEAL {
                g.push_bytes(&tmp[..tail.len()]);
            }
            for (i, v) in b.iter().enumerate().take(nblocks) {
                let p = tmp.as_mut_ptr().add(16 * i);
                vst1q_u8(p, veorq_u8(vld1q_u8(p), *v));
            }
            tail.copy_from_slice(&tmp[..tail.len()]);
            if SEAL {
                g.push_bytes(tail);
            }
            ct::wipe(&mut tmp);
        }
        g.push_lengths(aad.len(), total);
        let mut tag = [0u8; 16];
        vst1q_u8(tag.as_mut_ptr(), veorq_u8(g.finish(), mask));
        tag
    }
}
