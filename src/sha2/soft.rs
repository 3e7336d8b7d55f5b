//! Portable SHA-256 and SHA-512 compression (FIPS 180-4 §6.2.2 and §6.4.2).
//!
//! Straight-line rounds with the working variables renamed instead of moved,
//! and the message schedule kept in a 16-word ring. No table is indexed by
//! data, so these are constant-time by construction.

use super::{K256, K512};

#[inline(always)]
fn ch<T>(e: T, f: T, g: T) -> T
where
    T: Copy + core::ops::BitAnd<Output = T> + core::ops::BitXor<Output = T>,
{
    g ^ (e & (f ^ g))
}

#[inline(always)]
fn maj<T>(a: T, b: T, c: T) -> T
where
    T: Copy + core::ops::BitAnd<Output = T> + core::ops::BitXor<Output = T>,
{
    ((a ^ b) & (b ^ c)) ^ b
}

/// Runs the SHA-256 compression function over each block in turn.
pub(crate) fn compress256(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    for block in blocks {
        let mut w = [0u32; 16];
        for (wi, c) in w.iter_mut().zip(block.chunks_exact(4)) {
            *wi = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;

        macro_rules! round {
            ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $i:expr, $j:expr) => {
                let t1 = $h
                    .wrapping_add($e.rotate_right(6) ^ $e.rotate_right(11) ^ $e.rotate_right(25))
                    .wrapping_add(ch($e, $f, $g))
                    .wrapping_add(K256[$j * 16 + $i])
                    .wrapping_add(w[$i]);
                let t2 = ($a.rotate_right(2) ^ $a.rotate_right(13) ^ $a.rotate_right(22))
                    .wrapping_add(maj($a, $b, $c));
                $d = $d.wrapping_add(t1);
                $h = t1.wrapping_add(t2);
            };
        }
        macro_rules! schedule {
            ($i:expr) => {
                let w15 = w[($i + 1) & 15];
                let w2 = w[($i + 14) & 15];
                let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
                let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
                w[$i] = w[$i].wrapping_add(s0).wrapping_add(w[($i + 9) & 15]).wrapping_add(s1);
            };
        }
        macro_rules! sixteen {
            ($j:expr, $sched:tt) => {
                sixteen!(@ $j, $sched, 0, 1, 2, 3, 4, 5, 6, 7);
                sixteen!(@ $j, $sched, 8, 9, 10, 11, 12, 13, 14, 15);
            };
            (@ $j:expr, $sched:tt, $i0:expr, $i1:expr, $i2:expr, $i3:expr, $i4:expr, $i5:expr, $i6:expr, $i7:expr) => {
                if $sched { schedule!($i0); } round!(a, b, c, d, e, f, g, h, $i0, $j);
                if $sched { schedule!($i1); } round!(h, a, b, c, d, e, f, g, $i1, $j);
                if $sched { schedule!($i2); } round!(g, h, a, b, c, d, e, f, $i2, $j);
                if $sched { schedule!($i3); } round!(f, g, h, a, b, c, d, e, $i3, $j);
                if $sched { schedule!($i4); } round!(e, f, g, h, a, b, c, d, $i4, $j);
                if $sched { schedule!($i5); } round!(d, e, f, g, h, a, b, c, $i5, $j);
                if $sched { schedule!($i6); } round!(c, d, e, f, g, h, a, b, $i6, $j);
                if $sched { schedule!($i7); } round!(b, c, d, e, f, g, h, a, $i7, $j);
            };
        }

        sixteen!(0, false);
        sixteen!(1, true);
        sixteen!(2, true);
        sixteen!(3, true);

        for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = s.wrapping_add(v);
        }
    }
}

/// Runs the SHA-512 compression function over each block in turn.
pub(crate) fn compress512(state: &mut [u64; 8], blocks: &[[u8; 128]]) {
    for block in blocks {
        let mut w = [0u64; 16];
        for (wi, c) in w.iter_mut().zip(block.chunks_exact(8)) {
            *wi = u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;

        macro_rules! round {
            ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $i:expr, $j:expr) => {
                let t1 = $h
                    .wrapping_add($e.rotate_right(14) ^ $e.rotate_right(18) ^ $e.rotate_right(41))
                    .wrapping_add(ch($e, $f, $g))
                    .wrapping_add(K512[$j * 16 + $i])
                    .wrapping_add(w[$i]);
                let t2 = ($a.rotate_right(28) ^ $a.rotate_right(34) ^ $a.rotate_right(39))
                    .wrapping_add(maj($a, $b, $c));
                $d = $d.wrapping_add(t1);
                $h = t1.wrapping_add(t2);
            };
        }
        macro_rules! schedule {
            ($i:expr) => {
                let w15 = w[($i + 1) & 15];
                let w2 = w[($i + 14) & 15];
                let s0 = w15.rotate_right(1) ^ w15.rotate_right(8) ^ (w15 >> 7);
                let s1 = w2.rotate_right(19) ^ w2.rotate_right(61) ^ (w2 >> 6);
                w[$i] = w[$i].wrapping_add(s0).wrapping_add(w[($i + 9) & 15]).wrapping_add(s1);
            };
        }
        macro_rules! sixteen {
            ($j:expr, $sched:tt) => {
                sixteen!(@ $j, $sched, 0, 1, 2, 3, 4, 5, 6, 7);
                sixteen!(@ $j, $sched, 8, 9, 10, 11, 12, 13, 14, 15);
            };
            (@ $j:expr, $sched:tt, $i0:expr, $i1:expr, $i2:expr, $i3:expr, $i4:expr, $i5:expr, $i6:expr, $i7:expr) => {
                if $sched { schedule!($i0); } round!(a, b, c, d, e, f, g, h, $i0, $j);
                if $sched { schedule!($i1); } round!(h, a, b, c, d, e, f, g, $i1, $j);
                if $sched { schedule!($i2); } round!(g, h, a, b, c, d, e, f, $i2, $j);
                if $sched { schedule!($i3); } round!(f, g, h, a, b, c, d, e, $i3, $j);
                if $sched { schedule!($i4); } round!(e, f, g, h, a, b, c, d, $i4, $j);
                if $sched { schedule!($i5); } round!(d, e, f, g, h, a, b, c, $i5, $j);
                if $sched { schedule!($i6); } round!(c, d, e, f, g, h, a, b, $i6, $j);
                if $sched { schedule!($i7); } round!(b, c, d, e, f, g, h, a, $i7, $j);
            };
        }

        sixteen!(0, false);
        sixteen!(1, true);
        sixteen!(2, true);
        sixteen!(3, true);
        sixteen!(4, true);

        for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = s.wrapping_add(v);
        }
    }
}
