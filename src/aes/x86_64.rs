//! AES with the x86_64 AES-NI instructions (Intel, "Advanced Encryption
//! Standard (AES) New Instructions Set", 2010). Round keys come from the
//! portable key expansion; the decryption keys are its InvMixColumns images
//! (AESIMC), for the equivalent inverse cipher (FIPS 197 §5.3.5).

use core::arch::x86_64::*;

use super::RoundKeys;
use crate::{cpu, ct};

/// Proof that this CPU has AES-NI with SSSE3 and SSE4.1.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AesNi(());

impl AesNi {
    pub(crate) fn new() -> Option<Self> {
        cpu::features().aesni.then_some(AesNi(()))
    }
}

/// An AES key for AES-NI: encryption and decryption round keys.
#[derive(Clone)]
pub(crate) struct Key {
    enc: [[u8; 16]; 15],
    dec: [[u8; 16]; 15],
    rounds: usize,
    token: AesNi,
}

impl Key {
    pub(crate) fn new(rk: &RoundKeys) -> Option<Self> {
        let token = AesNi::new()?;
        let rounds = rk.rounds();
        let mut enc = [[0u8; 16]; 15];
        enc[..=rounds].copy_from_slice(rk.keys());
        let mut dec = [[0u8; 16]; 15];
        // SAFETY: `token` proves AES-NI is present.
        unsafe { inv_mix_keys(&enc, &mut dec, rounds) };
        Some(Key { enc, dec, rounds, token })
    }

    pub(crate) fn encrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
        let _ = self.token;
        // SAFETY: `token` proves AES-NI, SSSE3 and SSE4.1 are present.
        unsafe { encrypt_blocks(&self.enc, self.rounds, blocks) }
    }

    pub(crate) fn decrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
        // SAFETY: as for `encrypt_blocks`.
        unsafe { decrypt_blocks(&self.dec, self.rounds, blocks) }
    }

    pub(crate) fn ctr32_xor(&self, block: &[u8; 16], ctr: u32, data: &mut [u8]) {
        // SAFETY: as for `encrypt_blocks`.
        unsafe { ctr32_xor(&self.enc, self.rounds, block, ctr, data) }
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        ct::wipe(self.enc.as_flattened_mut());
        ct::wipe(self.dec.as_flattened_mut());
    }
}

/// `dec[0]` is the last encryption key, `dec[rounds]` the first, and the
/// ones between are passed through InvMixColumns.
#[target_feature(enable = "aes,sse2")]
unsafe fn inv_mix_keys(enc: &[[u8; 16]; 15], dec: &mut [[u8; 16]; 15], rounds: usize) {
    // SAFETY (whole body): unaligned loads and stores of 16-byte arrays.
    unsafe {
        dec[0] = enc[rounds];
        dec[rounds] = enc[0];
        for r in 1..rounds {
            let k = _mm_aesimc_si128(_mm_loadu_si128(enc[rounds - r].as_ptr().cast()));
            _mm_storeu_si128(dec[r].as_mut_ptr().cast(), k);
        }
    }
}

#[inline]
#[target_feature(enable = "sse2")]
pub(crate) unsafe fn load_keys(keys: &[[u8; 16]; 15]) -> [__m128i; 15] {
    // SAFETY: each element is a 16-byte array; unaligned loads.
    core::array::from_fn(|i| unsafe { _mm_loadu_si128(keys[i].as_ptr().cast()) })
}

/// Encrypts `N` blocks held in registers.
///
/// # Safety
///
/// Only for functions compiled with AES-NI (it is always inlined into them).
#[inline(always)]
pub(crate) unsafe fn encrypt_n<const N: usize>(rk: &[__m128i; 15], rounds: usize, b: &mut [__m128i; N]) {
    // SAFETY: the caller is compiled with AES-NI and has proven it present.
    unsafe {
        for x in b.iter_mut() {
            *x = _mm_xor_si128(*x, rk[0]);
        }
        for k in &rk[1..rounds] {
            for x in b.iter_mut() {
                *x = _mm_aesenc_si128(*x, *k);
            }
        }
        for x in b.iter_mut() {
            *x = _mm_aesenclast_si128(*x, rk[rounds]);
        }
    }
}

/// Encrypts eight blocks held in registers.
///
/// # Safety
///
/// As for [`encrypt_n`].
#[inline(always)]
pub(crate) unsafe fn encrypt8(rk: &[__m128i; 15], rounds: usize, b: &mut [__m128i; 8]) {
    // SAFETY: as the caller's.
    unsafe { encrypt_n::<8>(rk, rounds, b) }
}

#[target_feature(enable = "aes,sse2,ssse3,sse4.1")]
unsafe fn encrypt_blocks(keys: &[[u8; 16]; 15], rounds: usize, blocks: &mut [[u8; 16]]) {
    // SAFETY (whole body): loads and stores are unaligned and within `blocks`.
    unsafe {
        let rk = load_keys(keys);
        for chunk in blocks.chunks_mut(8) {
            let mut b = [_mm_setzero_si128(); 8];
            for (x, blk) in b.iter_mut().zip(chunk.iter()) {
                *x = _mm_loadu_si128(blk.as_ptr().cast());
            }
            encrypt8(&rk, rounds, &mut b);
            for (x, blk) in b.iter().zip(chunk.iter_mut()) {
                _mm_storeu_si128(blk.as_mut_ptr().cast(), *x);
            }
        }
    }
}

#[target_feature(enable = "aes,sse2,ssse3,sse4.1")]
unsafe fn decrypt_blocks(keys: &[[u8; 16]; 15], rounds: usize, blocks: &mut [[u8; 16]]) {
    // SAFETY (whole body): loads and stores are unaligned and within `blocks`.
    unsafe {
        let rk = load_keys(keys);
        for chunk in blocks.chunks_mut(8) {
            let mut b = [_mm_setzero_si128(); 8];
            for (x, blk) in b.iter_mut().zip(chunk.iter()) {
                *x = _mm_xor_si128(_mm_loadu_si128(blk.as_ptr().cast()), rk[0]);
            }
            for k in &rk[1..rounds] {
                for x in b.iter_mut() {
                    *x = _mm_aesdec_si128(*x, *k);
                }
            }
            for (x, blk) in b.iter().zip(chunk.iter_mut()) {
                _mm_storeu_si128(blk.as_mut_ptr().cast(), _mm_aesdeclast_si128(*x, rk[rounds]));
            }
        }
    }
}

#[target_feature(enable = "aes,sse2,ssse3,sse4.1")]
unsafe fn ctr32_xor(keys: &[[u8; 16]; 15], rounds: usize, block: &[u8; 16], ctr: u32, data: &mut [u8]) {
    // SAFETY (whole body): loads and stores are unaligned; full 16-byte
    // accesses happen only on `chunks_exact` pieces, the tail goes through a
    // stack buffer.
    unsafe {
        let rk = load_keys(keys);
        let base = _mm_loadu_si128(block.as_ptr().cast());
        let mut ctr = ctr;
        for chunk in data.chunks_mut(128) {
            let mut b = [base; 8];
            for x in b.iter_mut() {
                *x = _mm_insert_epi32(*x, ctr.swap_bytes() as i32, 3);
                ctr = ctr.wrapping_add(1);
            }
            encrypt8(&rk, rounds, &mut b);
            let mut ks = [[0u8; 16]; 8];
            for (x, k) in b.iter().zip(ks.iter_mut()) {
                _mm_storeu_si128(k.as_mut_ptr().cast(), *x);
            }
            for (d, k) in chunk.iter_mut().zip(ks.as_flattened()) {
                *d ^= k;
            }
            ct::wipe(ks.as_flattened_mut());
        }
    }
}
