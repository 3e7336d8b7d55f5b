//! Portable SHA-256 and SHA-512 compression (FIPS 180-4 §6.2.2 and §6.4.2).
//!
//! The message schedule is computed first (with the round constants added),
//! then the rounds run with the working variables renamed instead of moved;
//! the vector backends reuse the rounds with a schedule of their own. No table
//! is indexed by data, so this is constant-time by construction.

use super::{K256, K512};

#[inline(always)]
fn maj<T>(a: T, b: T, c: T) -> T
where
    T: Copy + core::ops::BitAnd<Output = T> + core::ops::BitXor<Output = T>,
{
    ((a ^ b) & (b ^ c)) ^ b
}

/// Runs the SHA-256 compression function over each block in turn: the whole
/// message schedule first (with the round constants added), then the rounds.
pub(crate) fn compress256(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    let mut w = [0u32; 64];
    for block in blocks {
        for (wi, c) in w.iter_mut().zip(block.chunks_exact(4)) {
            *wi = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for t in 16..64 {
            let (w15, w2) = (w[t - 15], w[t - 2]);
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        }
        for (wi, k) in w.iter_mut().zip(K256) {
            *wi = wi.wrapping_add(k);
        }
        rounds256_wk(state, &w);
    }
    // The schedule starts with the message, which may be key material.
    crate::ct::wipe_words(&mut w);
}

/// The 64 SHA-256 rounds of one block, given the schedule with the round
/// constants already added (`wk[t] = W[t] + K[t]`), then the feed-forward.
/// Shared by backends that compute the schedule with vector instructions;
/// `inline(always)` so it is compiled with the caller's target features.
/// The rounds run as a loop of eight, not unrolled: fully unrolled, two
/// blocks of rounds outgrow the decoded-instruction cache and the front end
/// becomes the bottleneck.
#[inline(always)]
pub(crate) fn rounds256_wk(state: &mut [u32; 8], wk: &[u32; 64]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    macro_rules! round {
        ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $t:expr) => {
            // ch as two disjoint halves added separately: more parallelism.
            let t1 = $h
                .wrapping_add(wk[$t])
                .wrapping_add($e.rotate_right(6) ^ $e.rotate_right(11) ^ $e.rotate_right(25))
                .wrapping_add($e & $f)
                .wrapping_add(!$e & $g);
            let t2 = ($a.rotate_right(2) ^ $a.rotate_right(13) ^ $a.rotate_right(22))
                .wrapping_add(maj($a, $b, $c));
            $d = $d.wrapping_add(t1);
            $h = t1.wrapping_add(t2);
        };
    }
    macro_rules! eight {
        ($t:expr) => {
            round!(a, b, c, d, e, f, g, h, $t);
            round!(h, a, b, c, d, e, f, g, $t + 1);
            round!(g, h, a, b, c, d, e, f, $t + 2);
            round!(f, g, h, a, b, c, d, e, $t + 3);
            round!(e, f, g, h, a, b, c, d, $t + 4);
            round!(d, e, f, g, h, a, b, c, $t + 5);
            round!(c, d, e, f, g, h, a, b, $t + 6);
            round!(b, c, d, e, f, g, h, a, $t + 7);
        };
    }
    for t in (0..64).step_by(8) {
        eight!(t);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

/// Runs the SHA-512 compression function over each block in turn: the whole
/// message schedule first (with the round constants added), then the rounds.
pub(crate) fn compress512(state: &mut [u64; 8], blocks: &[[u8; 128]]) {
    let mut w = [0u64; 80];
    for block in blocks {
        for (wi, c) in w.iter_mut().zip(block.chunks_exact(8)) {
            *wi = u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        }
        for t in 16..80 {
            let (w15, w2) = (w[t - 15], w[t - 2]);
            let s0 = w15.rotate_right(1) ^ w15.rotate_right(8) ^ (w15 >> 7);
            let s1 = w2.rotate_right(19) ^ w2.rotate_right(61) ^ (w2 >> 6);
            w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        }
        for (wi, k) in w.iter_mut().zip(K512) {
            *wi = wi.wrapping_add(k);
        }
        rounds512_wk(state, &w);
    }
    crate::ct::wipe_words(&mut w);
}

/// The 80 SHA-512 rounds of one block from a precomputed `W[t] + K[t]`, then
/// the feed-forward (see [`rounds256_wk`]).
#[inline(always)]
pub(crate) fn rounds512_wk(state: &mut [u64; 8], wk: &[u64; 80]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    macro_rules! round {
        ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $t:expr) => {
            let t1 = $h
                .wrapping_add(wk[$t])
                .wrapping_add($e.rotate_right(14) ^ $e.rotate_right(18) ^ $e.rotate_right(41))
                .wrapping_add($e & $f)
                .wrapping_add(!$e & $g);
            let t2 = ($a.rotate_right(28) ^ $a.rotate_right(34) ^ $a.rotate_right(39))
                .wrapping_add(maj($a, $b, $c));
            $d = $d.wrapping_add(t1);
            $h = t1.wrapping_add(t2);
        };
    }
    for t in (0..80).step_by(8) {
        round!(a, b, c, d, e, f, g, h, t);
        round!(h, a, b, c, d, e, f, g, t + 1);
        round!(g, h, a, b, c, d, e, f, t + 2);
        round!(f, g, h, a, b, c, d, e, t + 3);
        round!(e, f, g, h, a, b, c, d, t + 4);
        round!(d, e, f, g, h, a, b, c, t + 5);
        round!(c, d, e, f, g, h, a, b, t + 6);
        round!(b, c, d, e, f, g, h, a, t + 7);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}
