//! Portable, constant-time AES-GCM: bitsliced AES (`crate::aes::soft`) and
//! GHASH with a carry-less multiply built from integer multiplies.
//!
//! GHASH (SP 800-38D §6.4) works on blocks read as big-endian 128-bit
//! integers, which are the field elements with their bits reflected. The
//! carry-less product of two 64-bit words is computed with ordinary
//! multiplications of "holey" operands: each keeps only the bits of one
//! residue class mod 5, so no column sum of partial products reaches 32 and
//! carries never leave their 5-bit gap; the classes are then masked out and
//! combined (the idea of BearSSL's `ghash_ctmul64`, here with 64x64->128
//! multiplies). Integer multiplication is constant time on the targets we
//! support.

use crate::aes::{RoundKeys, soft::Key as AesKey};
use crate::ct;

/// Bits whose position is `c` mod 5, for `c` in 0..5.
const fn class_masks64() -> [u64; 5] {
    let mut m = [0u64; 5];
    let mut i = 0;
    while i < 64 {
        m[i % 5] |= 1 << i;
        i += 1;
    }
    m
}

const fn class_masks128() -> [u128; 5] {
    let mut m = [0u128; 5];
    let mut i = 0;
    while i < 128 {
        m[i % 5] |= 1 << i;
        i += 1;
    }
    m
}

const M64: [u64; 5] = class_masks64();
const M128: [u128; 5] = class_masks128();

/// A 64-bit word split into its five residue classes.
#[inline(always)]
fn split(b: u64) -> [u64; 5] {
    M64.map(|m| b & m)
}

/// The carry-less product of `a` and the word whose classes are `b`.
/// Straight-line multiplies, XORs and masks only.
#[inline(always)]
fn clmul64(a: u64, b: &[u64; 5]) -> u128 {
    let a = split(a);
    let mut r = 0u128;
    for c in 0..5 {
        let mut s = 0u128;
        for i in 0..5 {
            s ^= u128::from(a[i]) * u128::from(b[(c + 5 - i) % 5]);
        }
        r |= s & M128[c];
    }
    r
}

/// The hash key H prepared for multiplication: the classes of its two
/// halves and of their XOR (for Karatsuba).
#[derive(Clone)]
pub(crate) struct HashKey {
    parts: [[u64; 5]; 3],
}

impl HashKey {
    pub(crate) fn new(h: &[u8; 16]) -> Self {
        let h = u128::from_be_bytes(*h);
        let (h0, h1) = (h as u64, (h >> 64) as u64);
        HashKey { parts: [split(h0), split(h1), split(h0 ^ h1)] }
    }

    /// `x * H` in GF(2^128), both in GHASH's reflected form.
    #[inline]
    pub(crate) fn mul(&self, x: u128) -> u128 {
        let (x0, x1) = (x as u64, (x >> 64) as u64);
        let lo = clmul64(x0, &self.parts[0]);
        let hi = clmul64(x1, &self.parts[1]);
        let mid = clmul64(x0 ^ x1, &self.parts[2]) ^ lo ^ hi;
        // The 255-bit product of the reflected operands, (hi:lo).
        let lo2 = lo ^ (mid << 64);
        let hi2 = hi ^ (mid >> 64);
        // Shift left by one: now `d_hi` holds the reflected coefficients of
        // degree 0..127 and `d_lo` those of degree 128..255.
        let d_hi = (hi2 << 1) | (lo2 >> 127);
        let u = lo2 << 1;
        // x^128 = x^7 + x^2 + x + 1: fold the part that overflows past
        // degree 127 once more, then multiply by x^7 + x^2 + x + 1.
        let z = u ^ (u << 127) ^ (u << 126) ^ (u << 121);
        d_hi ^ z ^ (z >> 1) ^ (z >> 2) ^ (z >> 7)
    }

    /// Absorbs `data` into `acc`, zero-padding a partial last block.
    pub(crate) fn absorb(&self, acc: &mut u128, data: &[u8]) {
        let (blocks, tail) = data.as_chunks::<16>();
        for b in blocks {
            *acc = self.mul(*acc ^ u128::from_be_bytes(*b));
        }
        if !tail.is_empty() {
            let mut b = [0u8; 16];
            b[..tail.len()].copy_from_slice(tail);
            *acc = self.mul(*acc ^ u128::from_be_bytes(b));
        }
    }
}

impl Drop for HashKey {
    fn drop(&mut self) {
        ct::wipe_words(self.parts.as_flattened_mut());
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
