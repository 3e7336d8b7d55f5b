//! The trait that HMAC and HKDF are generic over.

/// A Merkle–Damgård hash function with streaming and one-shot use.
pub trait Hash: Clone {
    /// Bytes per compression block.
    const BLOCK_LEN: usize;
    /// Bytes of digest.
    const OUTPUT_LEN: usize;
    /// The digest, a byte array of `OUTPUT_LEN` bytes.
    type Output: Copy + AsRef<[u8]> + AsMut<[u8]> + PartialEq + core::fmt::Debug;

    /// A fresh hasher on the default backend.
    fn new() -> Self;
    /// A fresh hasher on a chosen backend; `Err` when it cannot run here.
    fn with_backend(backend: crate::cpu::Backend) -> Result<Self, crate::Error>;
    /// Absorbs `data`.
    fn update(&mut self, data: &[u8]);
    /// Pads, finishes and returns the digest.
    fn finalize(self) -> Self::Output;

    /// Compresses any complete block the hasher holds back (a hasher may
    /// keep the last complete block to compress it with the padding). Call
    /// it before saving a state for reuse, as HMAC does with its keyed pads,
    /// so that the block is not compressed again by every copy.
    fn flush(&mut self) {}

    /// The digest of `data` in one call.
    fn digest(data: &[u8]) -> Self::Output {
        let mut h = Self::new();
        h.update(data);
        h.finalize()
    }
}
