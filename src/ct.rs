//! Constant-time helpers: masks, selection, equality, and wiping secrets.
//!
//! A mask is all ones (true) or all zeros (false). Masks are built with
//! arithmetic only and passed through `black_box` so the optimiser cannot turn
//! them back into branches.

use core::hint::black_box;
use core::sync::atomic::{Ordering, compiler_fence};

/// All ones when `a == b`, else zero.
#[inline]
pub fn eq_mask_u64(a: u64, b: u64) -> u64 {
    let x = a ^ b;
    // (x | -x) has its top bit set exactly when x != 0.
    let nonzero = (x | x.wrapping_neg()) >> 63;
    black_box(nonzero).wrapping_sub(1)
}

/// All ones when `a == b`, else zero.
#[inline]
pub fn eq_mask_u32(a: u32, b: u32) -> u32 {
    eq_mask_u64(a.into(), b.into()) as u32
}

/// All ones when `a < b` (unsigned), else zero.
#[inline]
pub fn lt_mask_u64(a: u64, b: u64) -> u64 {
    // The borrow out of a - b, computed without a comparison.
    let borrow = ((!a & b) | (!(a ^ b) & a.wrapping_sub(b))) >> 63;
    black_box(borrow).wrapping_neg()
}

/// `a` where `mask` is all ones, `b` where it is zero.
#[inline]
pub fn select_u64(mask: u64, a: u64, b: u64) -> u64 {
    let mask = black_box(mask);
    b ^ (mask & (a ^ b))
}

/// `a` where `mask` is all ones, `b` where it is zero.
#[inline]
pub fn select_u8(mask: u8, a: u8, b: u8) -> u8 {
    let mask = black_box(mask);
    b ^ (mask & (a ^ b))
}

/// Swaps `a` and `b` when `mask` is all ones; leaves them when it is zero.
#[inline]
pub fn cswap_u64(mask: u64, a: &mut [u64], b: &mut [u64]) {
    let mask = black_box(mask);
    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
        let t = mask & (*x ^ *y);
        *x ^= t;
        *y ^= t;
    }
}

/// Compares two byte strings in time that depends only on their lengths
/// (which are public). Returns `true` when they are equal.
pub fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut acc = 0u8;
    for (x, y) in a.iter().zip(b) {
        acc |= x ^ y;
    }
    eq_mask_u64(u64::from(black_box(acc)), 0) != 0
}

/// Overwrites `buf` with zeros in a way the optimiser may not remove: the
/// buffer escapes into `black_box` after the stores, so they are observable.
pub fn wipe(buf: &mut [u8]) {
    buf.fill(0);
    black_box(&mut *buf);
    compiler_fence(Ordering::SeqCst);
}

/// Overwrites a slice of plain integers with zeros (see [`wipe`]).
pub fn wipe_words<T: Copy + Default>(buf: &mut [T]) {
    buf.fill(T::default());
    black_box(&mut *buf);
    compiler_fence(Ordering::SeqCst);
}

/// A byte array that is wiped when dropped and never printed.
#[derive(Clone)]
pub struct Secret<const N: usize>(pub [u8; N]);

impl<const N: usize> Drop for Secret<N> {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

impl<const N: usize> core::fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Secret<{N}>(..)")
    }
}

impl<const N: usize> AsRef<[u8]> for Secret<N> {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(eq_mask_u64(5, 5), u64::MAX);
        assert_eq!(eq_mask_u64(5, 6), 0);
        assert_eq!(eq_mask_u64(0, 1 << 63), 0);
        for (a, b) in [(0u64, 1u64), (1, 0), (u64::MAX, 0), (0, u64::MAX), (7, 7), (1 << 63, 1)] {
            assert_eq!(lt_mask_u64(a, b), if a < b { u64::MAX } else { 0 }, "{a} < {b}");
        }
        assert_eq!(select_u64(u64::MAX, 1, 2), 1);
        assert_eq!(select_u64(0, 1, 2), 2);
        let (mut a, mut b) = ([1u64, 2], [3u64, 4]);
        cswap_u64(0, &mut a, &mut b);
        assert_eq!((a, b), ([1, 2], [3, 4]));
        cswap_u64(u64::MAX, &mut a, &mut b);
        assert_eq!((a, b), ([3, 4], [1, 2]));
    }

    #[test]
    fn equality_and_wipe() {
        assert!(bytes_eq(b"abc", b"abc"));
        assert!(!bytes_eq(b"abc", b"abd"));
        assert!(!bytes_eq(b"abc", b"ab"));
        assert!(bytes_eq(b"", b""));
        let mut s = [7u8; 9];
        wipe(&mut s);
        assert_eq!(s, [0; 9]);
        let mut w = [7u32; 3];
        wipe_words(&mut w);
        assert_eq!(w, [0; 3]);
    }
}
