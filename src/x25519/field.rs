//! The interface the curve code needs from a field backend, and the parts
//! every backend shares: conditional swap and selection.

use crate::ct;

/// Arithmetic mod p = 2^255 - 19. Elements are arrays of limbs, not
/// necessarily reduced; only [`Field::to_words`] returns the canonical value.
/// Every method runs in time independent of the values.
pub(super) trait Field: Copy {
    /// An element: an array of limbs.
    type Fe: Copy + AsRef<[u64]> + AsMut<[u64]>;

    fn zero(self) -> Self::Fe;
    fn one(self) -> Self::Fe;
    /// The element whose value is the little-endian `w` with bit 255 cleared.
    fn load(self, w: &[u64; 4]) -> Self::Fe;
    /// The canonical value, in [0, p), as little-endian words.
    fn store(self, a: &Self::Fe) -> [u64; 4];
    fn add(self, a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    fn sub(self, a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    fn mul(self, a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    fn sqr(self, a: &Self::Fe) -> Self::Fe;
    /// a * 121665, the ladder's (A - 2) / 4.
    fn mul_a24(self, a: &Self::Fe) -> Self::Fe;

    /// 1/z (0 for 0) as z^(p - 2), by the fixed chain of 254 squarings
    /// and 11 multiplications: no branch or index depends on z.
    fn invert(self, z: &Self::Fe) -> Self::Fe;

    /// Swaps `a` and `b` when `mask` is all ones; no branch on `mask`.
    #[inline(always)]
    fn cswap(self, mask: u64, a: &mut Self::Fe, b: &mut Self::Fe) {
        ct::cswap_u64(mask, a.as_mut(), b.as_mut());
    }

    /// The entry `abs - 1` of `row` (all zeros when `abs` is 0), reading
    /// every entry: no secret-dependent index or branch.
    #[inline(always)]
    fn select_entry<const N: usize>(self, row: &[[u64; 12]; N], abs: u64) -> [u64; 12] {
        select_entry(row, abs)
    }

    /// `x` unchanged, but opaque to the optimiser, so a mask made from it
    /// is not turned back into a branch.
    #[inline(always)]
    fn opaque(self, x: u64) -> u64 {
        core::hint::black_box(x)
    }

    /// `a` when `mask` is all ones, else `b`; no branch on `mask`.
    #[inline(always)]
    fn select(self, mask: u64, a: &Self::Fe, b: &Self::Fe) -> Self::Fe {
        let mut r = *b;
        for (x, y) in r.as_mut().iter_mut().zip(a.as_ref()) {
            *x = ct::select_u64(mask, *y, *x);
        }
        r
    }
}

/// Little-endian bytes to words.
#[inline]
pub(super) fn words_from_bytes(b: &[u8; 32]) -> [u64; 4] {
    core::array::from_fn(|i| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap_or([0; 8])))
}

/// Words to little-endian bytes.
#[inline]
pub(super) fn bytes_from_words(w: &[u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, x) in out.chunks_exact_mut(8).zip(w) {
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    out
}

/// The portable full-scan selection behind [`Field::select_entry`]: at most
/// one mask is set, so AND-then-OR accumulates the chosen entry.
#[inline(always)]
pub(super) fn select_entry<const N: usize>(row: &[[u64; 12]; N], abs: u64) -> [u64; 12] {
    let mut w = [0u64; 12];
    for (j, entry) in row.iter().enumerate() {
        let mask = ct::eq_mask_u64(abs, j as u64 + 1);
        for (x, y) in w.iter_mut().zip(entry) {
            *x |= y & mask;
        }
    }
    w
}
