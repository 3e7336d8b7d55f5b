//! AES with the ARMv8 Cryptography Extension (FEAT_AES): AESE/AESMC for
//! encryption, AESD/AESIMC with InvMixColumns-transformed round keys for the
//! equivalent inverse cipher (FIPS 197 §5.3.5). Round keys come from the
//! portable key expansion.

use core::arch::aarch64::*;

use super::RoundKeys;
use crate::{cpu, ct};

/// Proof that this CPU has the AES instructions (and PMULL: Rust's `aes`
/// target feature covers both, and detection checks both).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Armv8Aes(());

impl Armv8Aes {
    pub(crate) fn new() -> Option<Self> {
        let f = cpu::features();
        (f.a64_aes && f.a64_pmull).then_some(Armv8Aes(()))
    }
}

/// An AES key for the ARMv8 instructions.
#[derive(Clone)]
pub(crate) struct Key {
    enc: [[u8; 16]; 15],
    dec: [[u8; 16]; 15],
    rounds: usize,
    token: Armv8Aes,
}

impl Key {
    pub(crate) fn new(rk: &RoundKeys) -> Option<Self> {
        let token = Armv8Aes::new()?;
        let rounds = rk.rounds();
        let mut enc = [[0u8; 16]; 15];
        enc[..=rounds].copy_from_slice(rk.keys());
        let mut dec = [[0u8; 16]; 15];
        // SAFETY: `token` proves the AES instructions are present.
        unsafe { inv_mix_keys(&enc, &mut dec, rounds) };
        Some(Key { enc, dec, rounds, token })
    }

    pub(crate) fn encrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
        let _ = self.token;
        // SAFETY: `token` proves the AES instructions are present.
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

#[target_feature(enable = "neon,aes")]
unsafe fn inv_mix_keys(enc: &[[u8; 16]; 15], dec: &mut [[u8; 16]; 15], rounds: usize) {
    // SAFETY (whole body): 16-byte loads and stores of 16-byte arrays.
    unsafe {
        dec[0] = enc[rounds];
        dec[rounds] = enc[0];
        for r in 1..rounds {
            vst1q_u8(dec[r].as_mut_ptr(), vaesimcq_u8(vld1q_u8(enc[rounds - r].as_ptr())));
        }
    }
}

#[inline]
#[target_feature(enable = "neon")]
pub(crate) unsafe fn load_keys(keys: &[[u8; 16]; 15]) -> [uint8x16_t; 15] {
    // SAFETY: 16-byte loads of 16-byte arrays.
    core::array::from_fn(|i| unsafe { vld1q_u8(keys[i].as_ptr()) })
}

/// Encrypts `N` blocks held in registers.
#[inline]
#[target_feature(enable = "neon,aes")]
pub(crate) fn encrypt_n<const N: usize>(rk: &[uint8x16_t; 15], rounds: usize, b: &mut [uint8x16_t; N]) {
    for k in &rk[..rounds - 1] {
        for x in b.iter_mut() {
            *x = vaesmcq_u8(vaeseq_u8(*x, *k));
        }
    }
    for x in b.iter_mut() {
        *x = veorq_u8(vaeseq_u8(*x, rk[rounds - 1]), rk[rounds]);
    }
}

/// Encrypts eight blocks held in registers.
#[inline]
#[target_feature(enable = "neon,aes")]
pub(crate) fn encrypt8(rk: &[uint8x16_t; 15], rounds: usize, b: &mut [uint8x16_t; 8]) {
    encrypt_n::<8>(rk, rounds, b)
}

#[target_feature(enable = "neon,aes")]
unsafe fn encrypt_blocks(keys: &[[u8; 16]; 15], rounds: usize, blocks: &mut [[u8; 16]]) {
    // SAFETY (whole body): loads and stores of 16-byte arrays in `blocks`.
    unsafe {
        let rk = load_keys(keys);
        for chunk in blocks.chunks_mut(8) {
            let mut b = [vdupq_n_u8(0); 8];
            for (x, blk) in b.iter_mut().zip(chunk.iter()) {
                *x = vld1q_u8(blk.as_ptr());
            }
            encrypt8(&rk, rounds, &mut b);
            for (x, blk) in b.iter().zip(chunk.iter_mut()) {
                vst1q_u8(blk.as_mut_ptr(), *x);
            }
        }
    }
}

#[target_feature(enable = "neon,aes")]
unsafe fn decrypt_blocks(keys: &[[u8; 16]; 15], rounds: usize, blocks: &mut [[u8; 16]]) {
    // SAFETY (whole body): loads and stores of 16-byte arrays in `blocks`.
    unsafe {
        let rk = load_keys(keys);
        for chunk in blocks.chunks_mut(8) {
            let mut b = [vdupq_n_u8(0); 8];
            for (x, blk) in b.iter_mut().zip(chunk.iter()) {
                *x = vld1q_u8(blk.as_ptr());
            }
            for k in &rk[..rounds - 1] {
                for x in b.iter_mut() {
                    *x = vaesimcq_u8(vaesdq_u8(*x, *k));
                }
            }
            for (x, blk) in b.iter().zip(chunk.iter_mut()) {
                vst1q_u8(blk.as_mut_ptr(), veorq_u8(vaesdq_u8(*x, rk[rounds - 1]), rk[rounds]));
            }
        }
    }
}

#[target_feature(enable = "neon,aes")]
unsafe fn ctr32_xor(keys: &[[u8; 16]; 15], rounds: usize, block: &[u8; 16], ctr: u32, data: &mut [u8]) {
    // SAFETY (whole body): loads and stores of 16-byte arrays; the data is
    // XORed through a stack buffer.
    unsafe {
        let rk = load_keys(keys);
        let base = vreinterpretq_u32_u8(vld1q_u8(block.as_ptr()));
        let mut ctr = ctr;
        for chunk in data.chunks_mut(128) {
            let mut b = [vdupq_n_u8(0); 8];
            for x in b.iter_mut() {
                *x = vreinterpretq_u8_u32(vsetq_lane_u32::<3>(ctr.swap_bytes(), base));
                ctr = ctr.wrapping_add(1);
            }
            encrypt8(&rk, rounds, &mut b);
            let mut ks = [[0u8; 16]; 8];
            for (x, k) in b.iter().zip(ks.iter_mut()) {
                vst1q_u8(k.as_mut_ptr(), *x);
            }
            for (d, k) in chunk.iter_mut().zip(ks.as_flattened()) {
                *d ^= k;
            }
            ct::wipe(ks.as_flattened_mut());
        }
    }
}
