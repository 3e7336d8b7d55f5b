//! Portable, constant-time AES-GCM: bitsliced AES (`crate::aes::soft`) and
//! GHASH with a carry-less multiply built from integer multiplies.
//!
//! GHASH (SP 800-38D §6.4) works on blocks read as big-endian 128-bit
//! integers, which are the field elements with their bits reflected. The
//! carry-less product of two 64-bit words is computed with ordinary
//! 64x64->128 multiplications of "holey" operands that keep only the bits
//! of one residue class mod 4, so carries stay in the gaps and are masked
//! away (the idea of BearSSL's `ghash_ctmul64`). Integer multiplication is
//! constant time on the targets we support.

use crate::aes::{RoundKeys, soft::Key as AesKey};
use crate::ct;

/// Bits whose position is `c` mod 4, for `c` in 0..4.
const M: [u64; 4] =
    [0x1111_1111_1111_1111, 0x2222_2222_2222_2222, 0x4444_4444_4444_4444, 0x8888_8888_8888_8888];

const fn widen(m: u64) -> u128 {
    (m as u128) | ((m as u128) << 64)
}

const M128: [u128; 4] = [widen(M[0]), widen(M[1]), widen(M[2]), widen(M[3])];

/// One 64-bit word of H, prepared as the right operand of [`clmul64`]: the
/// residue classes mod 4 of its low 60 bits, and its top four bits as
/// all-ones or all-zeros masks.
#[derive(Clone)]
struct Operand {
    classes: [u64; 4],
    top: [u128; 4],
}

impl Operand {
    fn new(y: u64) -> Self {
        let low = y & ((1 << 60) - 1);
        Operand {
            classes: M.map(|m| low & m),
            top: core::array::from_fn(|k| 0u128.wrapping_sub(u128::from((y >> (60 + k)) & 1))),
        }
    }
}

/// The 128-bit carry-less product of `x` and `y`.
///
/// The low 60 bits of `y` go through ordinary multiplications of "holey"
/// operands: each keeps the bits of one residue class mod 4, so a column of
/// a partial product sums at most 15 ones (a class of `y` has 15 bits) and
/// its carries stay in the three-bit gap above it, which the final masks
/// drop. The top four bits of `y` are added as masked shifts of `x`.
/// Straight-line multiplies, shifts, XORs and masks only.
#[inline(always)]
fn clmul64(x: u64, y: &Operand) -> u128 {
    let xs = M.map(|m| u128::from(x & m));
    let ys = y.classes.map(u128::from);
    let mut r = 0u128;
    for c in 0..4 {
        let mut s = 0u128;
        for i in 0..4 {
            s ^= xs[i] * ys[(c + 4 - i) % 4];
        }
        r |= s & M128[c];
    }
    let xw = u128::from(x);
    for k in 0..4 {
        r ^= (xw << (60 + k)) & y.top[k];
    }
    r
}

/// One power of H prepared for multiplication: its two 64-bit halves and
/// their XOR (for Karatsuba).
#[derive(Clone)]
struct Power {
    parts: [Operand; 3],
}

impl Power {
    fn new(h: u128) -> Self {
        let (h0, h1) = (h as u64, (h >> 64) as u64);
        Power { parts: [Operand::new(h0), Operand::new(h1), Operand::new(h0 ^ h1)] }
    }

    /// The unreduced 255-bit carry-less product `x * self`, as (high, low).
    #[inline(always)]
    fn mul_wide(&self, x: u128) -> (u128, u128) {
        let (x0, x1) = (x as u64, (x >> 64) as u64);
        let lo = clmul64(x0, &self.parts[0]);
        let hi = clmul64(x1, &self.parts[1]);
        let mid = clmul64(x0 ^ x1, &self.parts[2]) ^ lo ^ hi;
        (hi ^ (mid >> 64), lo ^ (mid << 64))
    }
}

/// Reduces a 255-bit product of reflected operands modulo the GHASH
/// polynomial.
#[inline(always)]
fn reduce((hi, lo): (u128, u128)) -> u128 {
    // Shift left by one: now `d_hi` holds the reflected coefficients of
    // degree 0..127 and `u` those of degree 128..255.
    let d_hi = (hi << 1) | (lo >> 127);
    let u = lo << 1;
    // x^128 = x^7 + x^2 + x + 1: fold the part that overflows past degree
    // 127 once more, then multiply by x^7 + x^2 + x + 1.
    let z = u ^ (u << 127) ^ (u << 126) ^ (u << 121);
    d_hi ^ z ^ (z >> 1) ^ (z >> 2) ^ (z >> 7)
}

/// The hash key: H, H^2, H^3 and H^4, so that four blocks can be
/// multiplied independently and share one reduction.
#[derive(Clone)]
pub(crate) struct HashKey {
    powers: [Power; 4],
}

impl HashKey {
    pub(crate) fn new(h: &[u8; 16]) -> Self {
        let h1 = Power::new(u128::from_be_bytes(*h));
        let h2 = reduce(h1.mul_wide(u128::from_be_bytes(*h)));
        let h3 = reduce(h1.mul_wide(h2));
        let h4 = reduce(h1.mul_wide(h3));
        HashKey { powers: [h1, Power::new(h2), Power::new(h3), Power::new(h4)] }
    }

    /// `x * H` in GF(2^128), both in GHASH's reflected form.
    #[inline]
    pub(crate) fn mul(&self, x: u128) -> u128 {
        reduce(self.powers[0].mul_wide(x))
    }

    /// `(acc + b0) H^4 + b1 H^3 + b2 H^2 + b3 H`: four blocks, one reduction.
    #[inline]
    fn mul4(&self, acc: u128, b: &[[u8; 16]]) -> u128 {
        let (mut hi, mut lo) = self.powers[3].mul_wide(acc ^ u128::from_be_bytes(b[0]));
        for (blk, pow) in b[1..4].iter().zip(self.powers[..3].iter().rev()) {
            let (h, l) = pow.mul_wide(u128::from_be_bytes(*blk));
            hi ^= h;
            lo ^= l;
        }
        reduce((hi, lo))
    }

    /// Absorbs `data` into `acc`, zero-padding a partial last block.
    pub(crate) fn absorb(&self, acc: &mut u128, data: &[u8]) {
        let (blocks, tail) = data.as_chunks::<16>();
        let mut quads = blocks.chunks_exact(4);
        for q in &mut quads {
            *acc = self.mul4(*acc, q);
        }
        for b in quads.remainder() {
            *acc = self.mul(*acc ^ u128::from_be_bytes(*b));
        }
        if !tail.is_empty() {
            // The zero-padded block, read big-endian.
            *acc = self.mul(*acc ^ super::partial_block(tail).swap_bytes());
        }
    }
}

impl Drop for HashKey {
    fn drop(&mut self) {
        for p in self.powers.iter_mut().flat_map(|p| p.parts.iter_mut()) {
            ct::wipe_words(&mut p.classes);
            ct::wipe_words(&mut p.top);
        }
    }
}

/// An AES-GCM key on the portable backend.
#[derive(Clone)]
pub(crate) struct Key {
    aes: AesKey,
    h: HashKey,
}

/// Which way the data flows: GHASH reads the ciphertext, which is the
/// output when sealing and the input when opening.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Seal,
    Open,
}

impl Key {
    pub(crate) fn new(rk: &RoundKeys) -> Self {
        let aes = AesKey::new(rk);
        let mut z = [[0u8; 16]; 4];
        aes.encrypt4(&mut z);
        let h = HashKey::new(&z[0]);
        ct::wipe(z.as_flattened_mut());
        Key { aes, h }
    }

    /// J0 for an IV that is not 12 bytes: GHASH(IV || pad || 0^64 || [len(IV)]_64).
    pub(crate) fn j0(&self, iv: &[u8]) -> [u8; 16] {
        let mut acc = 0u128;
        self.h.absorb(&mut acc, iv);
        acc = self.h.mul(acc ^ ((iv.len() as u128) * 8));
        acc.to_be_bytes()
    }

    /// Encrypts `buf` in place and returns the full tag.
    pub(crate) fn seal(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        self.run(j0, aad, buf, Dir::Seal)
    }

    /// Decrypts `buf` in place and returns the tag the ciphertext should have.
    pub(crate) fn open(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        self.run(j0, aad, buf, Dir::Open)
    }

    fn run(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8], dir: Dir) -> [u8; 16] {
        let mut acc = 0u128;
        self.h.absorb(&mut acc, aad);
        let mut ctr = u32::from_be_bytes([j0[12], j0[13], j0[14], j0[15]]);
        // The keystream starts with E(J0), the tag mask; the data uses the
        // blocks after it. Four blocks per bitsliced call.
        let mut ks = [*j0; 4];
        let mut mask = [0u8; 16];
        let mut first = true;
        let mut rest = &mut buf[..];
        while first || !rest.is_empty() {
            ks = [*j0; 4];
            for k in ks.iter_mut() {
                k[12..].copy_from_slice(&ctr.to_be_bytes());
                ctr = ctr.wrapping_add(1);
            }
            self.aes.encrypt4(&mut ks);
            let stream = if first {
                mask = ks[0];
                first = false;
                &ks.as_flattened()[16..]
            } else {
                ks.as_flattened()
            };
            let n = stream.len().min(rest.len());
            let (chunk, tail) = core::mem::take(&mut rest).split_at_mut(n);
            if dir == Dir::Open {
                self.h.absorb(&mut acc, chunk);
            }
            for (d, k) in chunk.iter_mut().zip(stream) {
                *d ^= k;
            }
            if dir == Dir::Seal {
                self.h.absorb(&mut acc, chunk);
            }
            rest = tail;
        }
        ct::wipe(ks.as_flattened_mut());
        let lens = (((aad.len() as u128) * 8) << 64) | ((buf.len() as u128) * 8);
        acc = self.h.mul(acc ^ lens);
        let mut tag = acc.to_be_bytes();
        for (t, m) in tag.iter_mut().zip(mask) {
            *t ^= m;
        }
        tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-by-bit GF(2^128) multiply from SP 800-38D Algorithm 1 (test only).
    fn slow_mul(x: u128, y: u128) -> u128 {
        let r: u128 = 0xe1 << 120;
        let mut z = 0u128;
        let mut v = y;
        for i in 0..128 {
            if (x >> (127 - i)) & 1 == 1 {
                z ^= v;
            }
            v = if v & 1 == 1 { (v >> 1) ^ r } else { v >> 1 };
        }
        z
    }

    #[test]
    fn mul_matches_reference() {
        let mut s = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
        for _ in 0..200 {
            s = s.wrapping_mul(0x2545_f491_4f6c_dd1d_9e37_79b9_7f4a_7c15).wrapping_add(1);
            let x = s.rotate_left(17) ^ (s >> 3);
            let h = HashKey::new(&s.to_be_bytes());
            assert_eq!(h.mul(x), slow_mul(x, s));
        }
        let h = HashKey::new(&u128::MAX.to_be_bytes());
        assert_eq!(h.mul(u128::MAX), slow_mul(u128::MAX, u128::MAX));
    }
}
