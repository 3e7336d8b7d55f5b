//! The AES block cipher (FIPS 197) with 128-, 192- and 256-bit keys, and
//! AES-CTR with a 32-bit big-endian counter.
//!
//! This is a low-level API: a raw block cipher is rarely what a protocol
//! needs (use [`crate::aes_gcm`] for encryption). It is here for QUIC header
//! protection, for tests, and for building other modes.
//!
//! Backends: portable bitsliced constant-time code (`soft.rs`), AES-NI
//! (`x86_64.rs`) and the ARMv8 AES instructions (`aarch64.rs`). The backend
//! is chosen when the key is built and kept in it.

#[cfg(target_arch = "aarch64")]
pub(crate) mod aarch64;
pub(crate) mod soft;
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;

use core::fmt;

use crate::Error;
use crate::cpu::{self, Backend, Primitive};
use crate::ct;

/// The encryption round keys of one AES key, as bytes in FIPS 197 order
/// (round key `r` is `keys()[r]`). Wiped on drop.
#[derive(Clone)]
pub(crate) struct RoundKeys {
    keys: [[u8; 16]; 15],
    rounds: usize,
}

impl RoundKeys {
    /// The FIPS 197 key expansion (§5.2) for a 16-, 24- or 32-byte key.
    /// SubWord runs on the bitsliced S-box, so no table is indexed by key
    /// bytes. Callers pass a key whose length they have already checked.
    pub(crate) fn expand(key: &[u8]) -> Self {
        let nk = key.len() / 4;
        debug_assert!(matches!(nk, 4 | 6 | 8) && key.len().is_multiple_of(4));
        let rounds = nk + 6;
        let total = 4 * (rounds + 1);
        let mut w = [0u32; 60];
        for (wi, chunk) in w.iter_mut().zip(key.chunks_exact(4)) {
            *wi = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        let mut rcon = 1u32;
        for i in nk..total {
            let mut t = w[i - 1];
            if i % nk == 0 {
                // RotWord moves byte 1 to byte 0; bytes are little-endian here.
                t = soft::sub_word(t.rotate_right(8)) ^ rcon;
                rcon = (rcon << 1) ^ (0x11b & 0u32.wrapping_sub(rcon >> 7));
            } else if nk > 6 && i % nk == 4 {
                t = soft::sub_word(t);
            }
            w[i] = w[i - nk] ^ t;
        }
        let mut keys = [[0u8; 16]; 15];
        for (r, k) in keys.iter_mut().enumerate().take(rounds + 1) {
            for c in 0..4 {
                k[4 * c..4 * c + 4].copy_from_slice(&w[4 * r + c].to_le_bytes());
            }
        }
        ct::wipe_words(&mut w);
        RoundKeys { keys, rounds }
    }

    /// The round keys in use (`rounds + 1` of them).
    pub(crate) fn keys(&self) -> &[[u8; 16]] {
        &self.keys[..self.rounds + 1]
    }

    /// 10, 12 or 14.
    pub(crate) fn rounds(&self) -> usize {
        self.rounds
    }
}

impl Drop for RoundKeys {
    fn drop(&mut self) {
        ct::wipe(self.keys.as_flattened_mut());
    }
}

/// The backends of the AES block cipher this CPU can run, best first (the same list as
/// `cpu::available(Primitive::Aes)`, which names only implemented backends).
pub fn backends() -> impl Iterator<Item = Backend> {
    let list = cpu::available(Primitive::Aes);
    (0..list.len()).map(move |i| list[i])
}

/// One expanded key on one backend. Stored inline (no allocation); the
/// portable key schedule in bit-plane form is the largest.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum Engine {
    Portable(soft::Key),
    #[cfg(target_arch = "x86_64")]
    AesNi(x86_64::Key),
    #[cfg(target_arch = "aarch64")]
    Armv8(aarch64::Key),
}

impl Engine {
    pub(crate) fn new(key: &[u8], b: Backend) -> Result<Self, Error> {
        if !cpu::is_available(Primitive::Aes, b) {
            return Err(Error::BackendUnavailable(b));
        }
        let rk = RoundKeys::expand(key);
        let e = match b {
            #[cfg(target_arch = "x86_64")]
            Backend::X86AesNiClmul => x86_64::Key::new(&rk).map(Engine::AesNi),
            #[cfg(target_arch = "aarch64")]
            Backend::Aarch64AesPmull => aarch64::Key::new(&rk).map(Engine::Armv8),
            Backend::Portable => Some(Engine::Portable(soft::Key::new(&rk))),
            _ => None,
        };
        e.ok_or(Error::BackendUnavailable(b))
    }

    pub(crate) fn preferred(key: &[u8]) -> Self {
        let b = backends().next().unwrap_or(Backend::Portable);
        Self::new(key, b).unwrap_or_else(|_| Engine::Portable(soft::Key::new(&RoundKeys::expand(key))))
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Engine::Portable(_) => Backend::Portable,
            #[cfg(target_arch = "x86_64")]
            Engine::AesNi(_) => Backend::X86AesNiClmul,
            #[cfg(target_arch = "aarch64")]
            Engine::Armv8(_) => Backend::Aarch64AesPmull,
        }
    }

    pub(crate) fn encrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
        match self {
            Engine::Portable(k) => k.encrypt_blocks(blocks),
            #[cfg(target_arch = "x86_64")]
            Engine::AesNi(k) => k.encrypt_blocks(blocks),
            #[cfg(target_arch = "aarch64")]
            Engine::Armv8(k) => k.encrypt_blocks(blocks),
        }
    }

    pub(crate) fn decrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
        match self {
            Engine::Portable(k) => k.decrypt_blocks(blocks),
            #[cfg(target_arch = "x86_64")]
            Engine::AesNi(k) => k.decrypt_blocks(blocks),
            #[cfg(target_arch = "aarch64")]
            Engine::Armv8(k) => k.decrypt_blocks(blocks),
        }
    }

    pub(crate) fn ctr32_xor(&self, block: &[u8; 16], data: &mut [u8]) {
        let ctr = u32::from_be_bytes([block[12], block[13], block[14], block[15]]);
        match self {
            Engine::Portable(k) => k.ctr32_xor(block, ctr, data),
            #[cfg(target_arch = "x86_64")]
            Engine::AesNi(k) => k.ctr32_xor(block, ctr, data),
            #[cfg(target_arch = "aarch64")]
            Engine::Armv8(k) => k.ctr32_xor(block, ctr, data),
        }
    }
}

macro_rules! aes_type {
    ($name:ident, $len:expr, $doc:expr) => {
        #[doc = $doc]
        ///
        /// The backend is chosen when the key is built ([`new`](Self::new)
        /// picks the best one this CPU has) and kept in it. Round keys are
        /// wiped on drop.
        #[derive(Clone)]
        pub struct $name(Engine);

        impl $name {
            /// The key length in bytes.
            pub const KEY_LEN: usize = $len;

            /// Expands `key` for the best backend on this CPU.
            pub fn new(key: &[u8; $len]) -> Self {
                $name(Engine::preferred(key))
            }

            /// Expands `key` for a chosen backend; `Err` when this module
            /// does not implement it or the CPU cannot run it.
            pub fn with_backend(key: &[u8; $len], backend: Backend) -> Result<Self, Error> {
                Engine::new(key, backend).map($name)
            }

            /// The backend this key runs on.
            pub fn backend(&self) -> Backend {
                self.0.backend()
            }

            /// Encrypts one block in place.
            pub fn encrypt_block(&self, block: &mut [u8; 16]) {
                self.0.encrypt_blocks(core::slice::from_mut(block))
            }

            /// Decrypts one block in place.
            pub fn decrypt_block(&self, block: &mut [u8; 16]) {
                self.0.decrypt_blocks(core::slice::from_mut(block))
            }

            /// Encrypts blocks in place (ECB: each block on its own).
            pub fn encrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
                self.0.encrypt_blocks(blocks)
            }

            /// Decrypts blocks in place (ECB: each block on its own).
            pub fn decrypt_blocks(&self, blocks: &mut [[u8; 16]]) {
                self.0.decrypt_blocks(blocks)
            }

            /// CTR mode: XORs `data` with the encryptions of `counter`,
            /// `counter + 1`, ..., where only the last four bytes (big-endian)
            /// count and wrap mod 2^32 (GCM's inc32). Encrypts and decrypts.
            pub fn apply_ctr32(&self, counter: &[u8; 16], data: &mut [u8]) {
                self.0.ctr32_xor(counter, data)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("backend", &self.backend()).finish_non_exhaustive()
            }
        }
    };
}

aes_type!(Aes128, 16, "AES-128.");
aes_type!(Aes192, 24, "AES-192.");
aes_type!(Aes256, 32, "AES-256.");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips197_key_expansion() {
        // FIPS 197 Appendix A.1: the last round key of the AES-128 example.
        let key =
            [0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c];
        let rk = RoundKeys::expand(&key);
        assert_eq!(
            rk.keys()[10],
            [0xd0, 0x14, 0xf9, 0xa8, 0xc9, 0xee, 0x25, 0x89, 0xe1, 0x3f, 0x0c, 0xc8, 0xb6, 0x63, 0x0c, 0xa6]
        );
    }

    #[test]
    fn fips197_appendix_c() {
        let pt: [u8; 16] = core::array::from_fn(|i| (i as u8) * 0x11);
        let key: [u8; 32] = core::array::from_fn(|i| i as u8);
        let expect128 =
            [0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a];
        let expect192 =
            [0xdd, 0xa9, 0x7c, 0xa4, 0x86, 0x4c, 0xdf, 0xe0, 0x6e, 0xaf, 0x70, 0xa0, 0xec, 0x0d, 0x71, 0x91];
        let expect256 =
            [0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf, 0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89];
        for b in backends() {
            let mut x = pt;
            let k = Aes128::with_backend(key[..16].try_into().unwrap(), b).unwrap();
            k.encrypt_block(&mut x);
            assert_eq!(x, expect128, "{b}");
            k.decrypt_block(&mut x);
            assert_eq!(x, pt, "{b}");
            let k = Aes192::with_backend(key[..24].try_into().unwrap(), b).unwrap();
            k.encrypt_block(&mut x);
            assert_eq!(x, expect192, "{b}");
            k.decrypt_block(&mut x);
            assert_eq!(x, pt, "{b}");
            let k = Aes256::with_backend(&key, b).unwrap();
            k.encrypt_block(&mut x);
            assert_eq!(x, expect256, "{b}");
            k.decrypt_block(&mut x);
            assert_eq!(x, pt, "{b}");
        }
    }
}
