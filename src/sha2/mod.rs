//! SHA-224, SHA-256, SHA-384 and SHA-512 (FIPS 180-4).
//!
//! SHA-224/256 have four backends: portable (`soft.rs`), the x86_64 SHA
//! extensions, x86_64 AVX2 + BMI2 (for CPUs without SHA-NI) and the ARMv8
//! SHA-256 instructions. SHA-384/512 have portable and AVX2 + BMI2. The
//! backend is chosen when a hasher is created and kept in it.

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[macro_use]
mod soft;
#[cfg(target_arch = "x86_64")]
mod x86_64;

use core::fmt;

use crate::Error;
use crate::cpu::{self, Backend, Primitive};
pub use crate::hash::Hash;

/// SHA-256 round constants (FIPS 180-4 §4.2.2).
pub(crate) const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-384/512 round constants (FIPS 180-4 §4.2.3).
pub(crate) const K512: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

const IV256: [u32; 8] =
    [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const IV224: [u32; 8] =
    [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4];
const IV384: [u64; 8] = [
    0xcbbb9d5dc1059ed8,
    0x629a292a367cd507,
    0x9159015a3070dd17,
    0x152fecd8f70e5939,
    0x67332667ffc00b31,
    0x8eb44a8768581511,
    0xdb0c2e0d64f98fa7,
    0x47b5481dbefa4fa4,
];
const IV512: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// The compression backend a hasher uses. One enum serves both widths: a
/// variant is only ever built for a primitive whose `available()` list has it.
#[derive(Clone, Copy)]
enum Engine {
    Portable,
    #[cfg(target_arch = "x86_64")]
    ShaNi(x86_64::ShaNi),
    #[cfg(target_arch = "x86_64")]
    Avx2(x86_64::Avx2),
    #[cfg(target_arch = "aarch64")]
    Sha2(aarch64::Sha2),
}

impl Engine {
    fn new(p: Primitive, b: Backend) -> Result<Self, Error> {
        if !cpu::is_available(p, b) {
            return Err(Error::BackendUnavailable(b));
        }
        let e = match b {
            Backend::Portable => Some(Engine::Portable),
            #[cfg(target_arch = "x86_64")]
            Backend::X86ShaNi => x86_64::ShaNi::new().map(Engine::ShaNi),
            #[cfg(target_arch = "x86_64")]
            Backend::X86Avx2 => x86_64::Avx2::new().map(Engine::Avx2),
            #[cfg(target_arch = "aarch64")]
            Backend::Aarch64Sha2 => aarch64::Sha2::new().map(Engine::Sha2),
            _ => None,
        };
        e.ok_or(Error::BackendUnavailable(b))
    }

    /// The engine new hashers of `p` get; chosen once per process.
    #[inline]
    fn preferred(p: Primitive) -> Self {
        let choose = || Engine::new(p, cpu::preferred(p)).unwrap_or(Engine::Portable);
        #[cfg(feature = "std")]
        {
            use std::sync::OnceLock;
            static SHA256: OnceLock<Engine> = OnceLock::new();
            static SHA512: OnceLock<Engine> = OnceLock::new();
            let cell = if p == Primitive::Sha512 { &SHA512 } else { &SHA256 };
            *cell.get_or_init(choose)
        }
        #[cfg(not(feature = "std"))]
        choose()
    }

    fn backend(self) -> Backend {
        match self {
            Engine::Portable => Backend::Portable,
            #[cfg(target_arch = "x86_64")]
            Engine::ShaNi(_) => Backend::X86ShaNi,
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(_) => Backend::X86Avx2,
            #[cfg(target_arch = "aarch64")]
            Engine::Sha2(_) => Backend::Aarch64Sha2,
        }
    }

    #[inline]
    fn compress256(self, state: &mut [u32; 8], blocks: &[[u8; 64]]) {
        match self {
            Engine::Portable => soft::compress256(state, blocks),
            #[cfg(target_arch = "x86_64")]
            Engine::ShaNi(t) => t.compress256(state, blocks),
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(t) => t.compress256(state, blocks),
            #[cfg(target_arch = "aarch64")]
            Engine::Sha2(t) => t.compress256(state, blocks),
        }
    }

    #[inline]
    fn compress512(self, state: &mut [u64; 8], blocks: &[[u8; 128]]) {
        match self {
            #[cfg(target_arch = "x86_64")]
            Engine::Avx2(t) => t.compress512(state, blocks),
            // No other backend is listed for SHA-512.
            _ => soft::compress512(state, blocks),
        }
    }
}

/// Partial-block buffering shared by the SHA-2 hashers.
#[derive(Clone)]
struct BlockBuffer<const B: usize> {
    buf: [u8; B],
    len: usize,
}

impl<const B: usize> BlockBuffer<B> {
    const fn new() -> Self {
        BlockBuffer { buf: [0; B], len: 0 }
    }

    /// Absorbs `data`. Complete blocks are compressed once more data follows
    /// them: the last block of the input stays in the buffer (even when
    /// complete), so that [`finish`](Self::finish) can compress it together
    /// with the padding block in one call, which the two-block vector
    /// schedules do at the cost of one.
    #[inline]
    fn update(&mut self, mut data: &[u8], mut compress: impl FnMut(&[[u8; B]])) {
        if data.is_empty() {
            return;
        }
        if self.len > 0 {
            let take = (B - self.len).min(data.len());
            self.buf[self.len..self.len + take].copy_from_slice(&data[..take]);
            self.len += take;
            data = &data[take..];
            if data.is_empty() {
                return;
            }
            compress(core::slice::from_ref(&self.buf));
            self.len = 0;
        }
        // Keep the last 1..=B bytes.
        let keep = (data.len() - 1) % B + 1;
        let (whole, rest) = data.split_at(data.len() - keep);
        let (blocks, _) = whole.as_chunks::<B>();
        if !blocks.is_empty() {
            compress(blocks);
        }
        self.buf[..keep].copy_from_slice(rest);
        self.len = keep;
    }

    /// Compresses a complete block held back by [`update`](Self::update).
    #[inline]
    fn flush(&mut self, compress: impl FnOnce(&[[u8; B]])) {
        if self.len == B {
            compress(core::slice::from_ref(&self.buf));
            self.len = 0;
        }
    }

    /// Appends the 0x80 byte, zeros and the big-endian bit length `len` (the
    /// last `len.len()` bytes of the final block) and compresses the one or
    /// two blocks that makes in a single call (two when the buffer holds a
    /// complete block).
    #[inline]
    fn finish(&mut self, len: &[u8], compress: impl FnOnce(&[[u8; B]])) {
        let mut tail = [[0u8; B]; 2];
        let flat = tail.as_flattened_mut();
        flat[..self.len].copy_from_slice(&self.buf[..self.len]);
        flat[self.len] = 0x80;
        let n = if self.len + 1 + len.len() <= B { 1 } else { 2 };
        flat[n * B - len.len()..n * B].copy_from_slice(len);
        compress(&tail[..n]);
        crate::ct::wipe(tail.as_flattened_mut());
        self.len = 0;
    }
}

impl<const B: usize> Drop for BlockBuffer<B> {
    fn drop(&mut self) {
        crate::ct::wipe(&mut self.buf);
    }
}

/// The SHA-256 core shared by SHA-224 and SHA-256.
#[derive(Clone)]
struct Core256 {
    state: [u32; 8],
    buffer: BlockBuffer<64>,
    len: u64,
    engine: Engine,
}

impl Core256 {
    fn new(iv: [u32; 8], engine: Engine) -> Self {
        Core256 { state: iv, buffer: BlockBuffer::new(), len: 0, engine }
    }

    #[inline]
    fn update(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        let (engine, state) = (self.engine, &mut self.state);
        self.buffer.update(data, |blocks| engine.compress256(state, blocks));
    }

    #[inline]
    fn flush(&mut self) {
        let (engine, state) = (self.engine, &mut self.state);
        self.buffer.flush(|blocks| engine.compress256(state, blocks));
    }

    #[inline]
    fn finish(&mut self, out: &mut [u8]) {
        let bits = self.len.wrapping_mul(8).to_be_bytes();
        let (engine, state) = (self.engine, &mut self.state);
        self.buffer.finish(&bits, |blocks| engine.compress256(state, blocks));
        for (o, s) in out.chunks_mut(4).zip(self.state) {
            o.copy_from_slice(&s.to_be_bytes()[..o.len()]);
        }
    }
}

impl Drop for Core256 {
    fn drop(&mut self) {
        crate::ct::wipe_words(&mut self.state);
    }
}

/// A public hasher type: a core (`Core256` or `Core512`) started from its own
/// IV, with the digest truncated to `$out` bytes.
macro_rules! sha2_hasher {
    ($name:ident, $core:ident, $prim:expr, $iv:expr, $out:expr, $block:expr, $doc:expr) => {
        #[doc = $doc]
        #[derive(Clone)]
        pub struct $name($core);

        impl $name {
            /// A fresh hasher on the best backend for this CPU.
            #[inline]
            pub fn new() -> Self {
                $name($core::new($iv, Engine::preferred($prim)))
            }

            /// A fresh hasher on a chosen backend; `Err` when it cannot run here.
            pub fn with_backend(backend: Backend) -> Result<Self, Error> {
                Engine::new($prim, backend).map(|e| $name($core::new($iv, e)))
            }

            /// The backend this hasher runs on.
            pub fn backend(&self) -> Backend {
                self.0.engine.backend()
            }

            /// Absorbs `data`.
            #[inline]
            pub fn update(&mut self, data: &[u8]) {
                self.0.update(data)
            }

            /// Pads, finishes and returns the digest.
            #[inline]
            pub fn finalize(mut self) -> [u8; $out] {
                let mut out = [0u8; $out];
                self.0.finish(&mut out);
                out
            }

            /// The digest of `data` in one call.
            #[inline]
            pub fn digest(data: &[u8]) -> [u8; $out] {
                let mut h = Self::new();
                h.update(data);
                h.finalize()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("backend", &self.backend()).finish_non_exhaustive()
            }
        }

        impl Hash for $name {
            const BLOCK_LEN: usize = $block;
            const OUTPUT_LEN: usize = $out;
            type Output = [u8; $out];
            fn new() -> Self {
                $name::new()
            }
            fn with_backend(backend: Backend) -> Result<Self, Error> {
                $name::with_backend(backend)
            }
            fn update(&mut self, data: &[u8]) {
                $name::update(self, data)
            }
            fn finalize(self) -> [u8; $out] {
                $name::finalize(self)
            }
            fn flush(&mut self) {
                self.0.flush()
            }
            fn digest(data: &[u8]) -> [u8; $out] {
                $name::digest(data)
            }
        }
    };
}

sha2_hasher!(
    Sha224,
    Core256,
    Primitive::Sha256,
    IV224,
    28,
    64,
    "SHA-224: SHA-256 with its own IV, truncated to 28 bytes."
);
sha2_hasher!(
    Sha256,
    Core256,
    Primitive::Sha256,
    IV256,
    32,
    64,
    "SHA-256: streaming with `update` and `finalize`, or one-shot with `digest`."
);

/// The SHA-512 core shared by SHA-384 and SHA-512.
#[derive(Clone)]
struct Core512 {
    state: [u64; 8],
    buffer: BlockBuffer<128>,
    len: u128,
    engine: Engine,
}

impl Core512 {
    fn new(iv: [u64; 8], engine: Engine) -> Self {
        Core512 { state: iv, buffer: BlockBuffer::new(), len: 0, engine }
    }

    #[inline]
    fn update(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u128);
        let (engine, state) = (self.engine, &mut self.state);
        self.buffer.update(data, |blocks| engine.compress512(state, blocks));
    }

    #[inline]
    fn flush(&mut self) {
        let (engine, state) = (self.engine, &mut self.state);
        self.buffer.flush(|blocks| engine.compress512(state, blocks));
    }

    #[inline]
    fn finish(&mut self, out: &mut [u8]) {
        let bits = self.len.wrapping_mul(8).to_be_bytes();
        let (engine, state) = (self.engine, &mut self.state);
        self.buffer.finish(&bits, |blocks| engine.compress512(state, blocks));
        for (o, s) in out.chunks_mut(8).zip(self.state) {
            o.copy_from_slice(&s.to_be_bytes()[..o.len()]);
        }
    }
}

impl Drop for Core512 {
    fn drop(&mut self) {
        crate::ct::wipe_words(&mut self.state);
    }
}

sha2_hasher!(
    Sha384,
    Core512,
    Primitive::Sha512,
    IV384,
    48,
    128,
    "SHA-384: SHA-512 with its own IV, truncated to 48 bytes."
);
sha2_hasher!(Sha512, Core512, Primitive::Sha512, IV512, 64, 128, "SHA-512.");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips_180_examples() {
        assert_eq!(
            Sha256::digest(b"abc"),
            hex_literal::hex!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(
            Sha384::digest(b"abc"),
            hex_literal::hex!(
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
            )
        );
        assert_eq!(
            Sha512::digest(b""),
            hex_literal::hex!(
                "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
            )
        );
    }
}
