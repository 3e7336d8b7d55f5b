//! AES-GCM (NIST SP 800-38D) with 128-bit tags: [`Aes128Gcm`],
//! [`Aes192Gcm`] and [`Aes256Gcm`], in place with a detached tag.
//!
//! Backends: portable constant-time (`soft.rs`), AES-NI + PCLMULQDQ
//! (`x86_64.rs`) and ARMv8 AES + PMULL (`aarch64.rs`). The fast backends run
//! CTR and GHASH in one pass, eight blocks per iteration, with precomputed
//! powers of H so that eight blocks share one reduction. The backend is
//! chosen when the key is built and kept in it.

#[cfg(target_arch = "aarch64")]
mod aarch64;
mod soft;
#[cfg(target_arch = "x86_64")]
mod x86_64;

use core::fmt;

use crate::Error;
use crate::aes::RoundKeys;
use crate::cpu::{self, Backend, Primitive};
use crate::ct;

/// The longest plaintext GCM allows: 2^39 - 256 bits (SP 800-38D §5.2.1.1).
pub const MAX_MESSAGE_LEN: u64 = (1 << 36) - 32;

/// The backends of AES-GCM this CPU can run, best first (the same list as
/// `cpu::available(Primitive::AesGcm)`, which names only implemented backends).
pub fn backends() -> impl Iterator<Item = Backend> {
    let list = cpu::available(Primitive::AesGcm);
    (0..list.len()).map(move |i| list[i])
}

/// One key on one backend, stored inline (no allocation).
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
enum Engine {
    Portable(soft::Key),
    #[cfg(target_arch = "x86_64")]
    Clmul(x86_64::Key),
    #[cfg(target_arch = "aarch64")]
    Pmull(aarch64::Key),
}

impl Engine {
    fn new(key: &[u8], b: Backend) -> Result<Self, Error> {
        if !cpu::is_available(Primitive::AesGcm, b) {
            return Err(Error::BackendUnavailable(b));
        }
        let rk = RoundKeys::expand(key);
        let e = match b {
            #[cfg(target_arch = "x86_64")]
            Backend::X86AesNiClmul => x86_64::Key::new(&rk).map(Engine::Clmul),
            #[cfg(target_arch = "aarch64")]
            Backend::Aarch64AesPmull => aarch64::Key::new(&rk).map(Engine::Pmull),
            Backend::Portable => Some(Engine::Portable(soft::Key::new(&rk))),
            _ => None,
        };
        e.ok_or(Error::BackendUnavailable(b))
    }

    fn preferred(key: &[u8]) -> Self {
        let b = backends().next().unwrap_or(Backend::Portable);
        Self::new(key, b).unwrap_or_else(|_| Engine::Portable(soft::Key::new(&RoundKeys::expand(key))))
    }

    fn backend(&self) -> Backend {
        match self {
            Engine::Portable(_) => Backend::Portable,
            #[cfg(target_arch = "x86_64")]
            Engine::Clmul(_) => Backend::X86AesNiClmul,
            #[cfg(target_arch = "aarch64")]
            Engine::Pmull(_) => Backend::Aarch64AesPmull,
        }
    }

    fn j0(&self, iv: &[u8]) -> [u8; 16] {
        if let Ok(nonce) = <&[u8; 12]>::try_from(iv) {
            // nonce || 0^31 || 1, written as two words (the backends read
            // it back as two words, which the CPU forwards from the stores).
            let lo = u64::from_le_bytes([
                nonce[0], nonce[1], nonce[2], nonce[3], nonce[4], nonce[5], nonce[6], nonce[7],
            ]);
            let hi = u64::from(u32::from_le_bytes([nonce[8], nonce[9], nonce[10], nonce[11]])) | 1 << 56;
            return (u128::from(lo) | u128::from(hi) << 64).to_le_bytes();
        }
        match self {
            Engine::Portable(k) => k.j0(iv),
            #[cfg(target_arch = "x86_64")]
            Engine::Clmul(k) => k.j0(iv),
            #[cfg(target_arch = "aarch64")]
            Engine::Pmull(k) => k.j0(iv),
        }
    }

    fn seal(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        match self {
            Engine::Portable(k) => k.seal(j0, aad, buf),
            #[cfg(target_arch = "x86_64")]
            Engine::Clmul(k) => k.seal(j0, aad, buf),
            #[cfg(target_arch = "aarch64")]
            Engine::Pmull(k) => k.seal(j0, aad, buf),
        }
    }

    fn open(&self, j0: &[u8; 16], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        match self {
            Engine::Portable(k) => k.open(j0, aad, buf),
            #[cfg(target_arch = "x86_64")]
            Engine::Clmul(k) => k.open(j0, aad, buf),
            #[cfg(target_arch = "aarch64")]
            Engine::Pmull(k) => k.open(j0, aad, buf),
        }
    }

    fn check_lengths(aad: &[u8], buf: &[u8]) -> Result<(), Error> {
        if buf.len() as u64 > MAX_MESSAGE_LEN {
            return Err(Error::BadLength { what: "AES-GCM message longer than 2^36 - 32 bytes" });
        }
        if aad.len() as u64 >= 1 << 61 {
            return Err(Error::BadLength { what: "AES-GCM associated data longer than 2^61 - 1 bytes" });
        }
        Ok(())
    }

    fn seal_iv(&self, iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<[u8; 16], Error> {
        if iv.is_empty() {
            return Err(Error::BadLength { what: "AES-GCM IV (must not be empty)" });
        }
        Self::check_lengths(aad, buf)?;
        Ok(self.seal(&self.j0(iv), aad, buf))
    }

    fn open_iv(&self, iv: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8; 16]) -> Result<(), Error> {
        if iv.is_empty() {
            ct::wipe(buf);
            return Err(Error::BadLength { what: "AES-GCM IV (must not be empty)" });
        }
        if let Err(e) = Self::check_lengths(aad, buf) {
            ct::wipe(buf);
            return Err(e);
        }
        let mut expect = self.open(&self.j0(iv), aad, buf);
        let ok = ct::bytes_eq(&expect, tag);
        ct::wipe(&mut expect);
        if ok {
            Ok(())
        } else {
            ct::wipe(buf);
            Err(Error::AuthenticationFailed)
        }
    }
}

macro_rules! gcm_type {
    ($name:ident, $len:expr, $doc:expr) => {
        #[doc = $doc]
        ///
        /// The backend is chosen when the key is built ([`new`](Self::new)
        /// picks the best one this CPU has) and kept in it. Key material is
        /// wiped on drop.
        #[derive(Clone)]
        pub struct $name(Engine);

        impl $name {
            /// The key length in bytes.
            pub const KEY_LEN: usize = $len;

            /// A key on the best backend for this CPU.
            pub fn new(key: &[u8; $len]) -> Self {
                $name(Engine::preferred(key))
            }

            /// A key on a chosen backend; `Err(BackendUnavailable)` when this
            /// build does not implement it or the CPU cannot run it.
            pub fn with_backend(key: &[u8; $len], backend: Backend) -> Result<Self, Error> {
                Engine::new(key, backend).map($name)
            }

            /// The backend this key runs on.
            pub fn backend(&self) -> Backend {
                self.0.backend()
            }

            /// Encrypts `buf` in place under the 12-byte `nonce` and returns
            /// the tag, which authenticates `aad` and the ciphertext.
            ///
            /// # Panics
            ///
            /// If `buf` is longer than [`MAX_MESSAGE_LEN`] (64 GiB), which
            /// GCM cannot encrypt under one nonce.
            pub fn seal_in_place(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
                match self.0.seal_iv(nonce, aad, buf) {
                    Ok(tag) => tag,
                    Err(e) => panic!("{e}"),
                }
            }

            /// Checks `tag` and decrypts `buf` in place. On `Err` the buffer
            /// is zeroed: no unauthenticated plaintext is released. The tag
            /// comparison is constant time.
            pub fn open_in_place(
                &self,
                nonce: &[u8; 12],
                aad: &[u8],
                buf: &mut [u8],
                tag: &[u8; 16],
            ) -> Result<(), Error> {
                self.0.open_iv(nonce, aad, buf, tag)
            }

            /// [`seal_in_place`](Self::seal_in_place) with an IV of any
            /// non-zero length (SP 800-38D: IVs other than 12 bytes are
            /// hashed into the first counter block). `Err` for an empty IV or
            /// a message too long for GCM.
            pub fn seal_in_place_iv(&self, iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<[u8; 16], Error> {
                self.0.seal_iv(iv, aad, buf)
            }

            /// [`open_in_place`](Self::open_in_place) with an IV of any
            /// non-zero length. On `Err` the buffer is zeroed.
            pub fn open_in_place_iv(
                &self,
                iv: &[u8],
                aad: &[u8],
                buf: &mut [u8],
                tag: &[u8; 16],
            ) -> Result<(), Error> {
                self.0.open_iv(iv, aad, buf, tag)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("backend", &self.backend()).finish_non_exhaustive()
            }
        }
    };
}

/// The block made of `src` (below 16 bytes, a public length) and zeros,
/// as a little-endian integer: read in pieces of 8, 4, 2 and 1 bytes and
/// assembled in registers. (Copying into a stack block and loading that
/// whole would be a call to `memcpy` and a load that spans several smaller
/// stores, which the CPU cannot forward: both cost more than the work.)
#[inline(always)]
pub(crate) fn partial_block(src: &[u8]) -> u128 {
    let n = src.len().min(15);
    let (mut v, mut at) = (0u128, 0);
    for piece in [8, 4, 2, 1] {
        if n & piece != 0 {
            let mut w = [0u8; 8];
            w[..piece].copy_from_slice(&src[at..at + piece]);
            v |= u128::from(u64::from_le_bytes(w)) << (8 * at);
            at += piece;
        }
    }
    v
}

gcm_type!(Aes128Gcm, 16, "AES-128-GCM.");
gcm_type!(Aes192Gcm, 24, "AES-192-GCM.");
gcm_type!(Aes256Gcm, 32, "AES-256-GCM.");

#[cfg(test)]
mod tests {
    use super::*;

    /// Counter blocks that wrap mod 2^32 inside the eight-block stride and
    /// inside the tail (reachable from outside only through an IV whose
    /// GHASH lands there): every backend matches plain AES-CTR from inc32(J0)
    /// and the portable tag.
    #[test]
    fn counter_wraps_inside_the_stride() {
        let key = [0x5au8; 16];
        let aes = crate::aes::Engine::new(&key, Backend::Portable).unwrap();
        let soft = Engine::new(&key, Backend::Portable).unwrap();
        let aad = [7u8; 21];
        for start in [0xffff_fff0u32, 0xffff_fffa, 0xffff_ffff, 0xffff_fff7] {
            let mut j0 = [0x33u8; 16];
            j0[12..].copy_from_slice(&start.to_be_bytes());
            let mut first = j0;
            first[12..].copy_from_slice(&start.wrapping_add(1).to_be_bytes());
            for len in (0..=300).step_by(13).chain([127, 128, 129, 255, 256, 257, 1024, 2100]) {
                let msg: Vec<u8> = (0..len).map(|i| (i * 5 + 3) as u8).collect();
                let mut want = msg.clone();
                aes.ctr32_xor(&first, &mut want);
                let mut buf = msg.clone();
                let want_tag = soft.seal(&j0, &aad, &mut buf);
                assert_eq!(buf, want, "portable ctr {start:x} {len}");
                for b in backends() {
                    let e = Engine::new(&key, b).unwrap();
                    let mut buf = msg.clone();
                    assert_eq!(e.seal(&j0, &aad, &mut buf), want_tag, "[{b}] tag {start:x} {len}");
                    assert_eq!(buf, want, "[{b}] ciphertext {start:x} {len}");
                    assert_eq!(e.open(&j0, &aad, &mut buf), want_tag, "[{b}] open tag {start:x} {len}");
                    assert_eq!(buf, msg, "[{b}] plaintext {start:x} {len}");
                }
            }
        }
    }
}
