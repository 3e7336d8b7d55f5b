//! Portable SHA-256 and SHA-512 compression (FIPS 180-4 §6.2.2 and §6.4.2).
//!
//! The message schedule is computed first (with the round constants added),
//! then the rounds run with the working variables renamed instead of moved;
//! the vector backends reuse the rounds with a schedule of their own. No table
//! is indexed by data, so this is constant-time by construction.

use super::{K256, K512};

/// Eight rounds (FIPS 180-4 §6.2.2 step 3, §6.4.2 step 3) on working
/// variables named at the call site, reading `W[t] + K[t]` from
/// `$wk[$t..$t + 8]`; the variables are renamed between rounds, not moved.
/// `$big0` and `$big1` are the rotation amounts of Σ0 and Σ1 (SHA-256:
/// [2, 13, 22] and [6, 11, 25]; SHA-512: [28, 34, 39] and [14, 18, 41]).
/// Shared by the portable rounds and the vector backends' interleaved ones.
macro_rules! eight_rounds {
    ($wk:expr, $t:expr, $big0:tt, $big1:tt, $a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident) => {
        eight_rounds!(@round $wk, $t, $big0, $big1, $a, $b, $c, $d, $e, $f, $g, $h);
        eight_rounds!(@round $wk, $t + 1, $big0, $big1, $h, $a, $b, $c, $d, $e, $f, $g);
        eight_rounds!(@round $wk, $t + 2, $big0, $big1, $g, $h, $a, $b, $c, $d, $e, $f);
        eight_rounds!(@round $wk, $t + 3, $big0, $big1, $f, $g, $h, $a, $b, $c, $d, $e);
        eight_rounds!(@round $wk, $t + 4, $big0, $big1, $e, $f, $g, $h, $a, $b, $c, $d);
        eight_rounds!(@round $wk, $t + 5, $big0, $big1, $d, $e, $f, $g, $h, $a, $b, $c);
        eight_rounds!(@round $wk, $t + 6, $big0, $big1, $c, $d, $e, $f, $g, $h, $a, $b);
        eight_rounds!(@round $wk, $t + 7, $big0, $big1, $b, $c, $d, $e, $f, $g, $h, $a);
    };
    (@round $wk:expr, $t:expr, [$r0:literal, $r1:literal, $r2:literal], [$q0:literal, $q1:literal, $q2:literal],
     $a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident) => {
        // Ch as two disjoint halves added separately: more parallelism.
        let t1 = $h
            .wrapping_add($wk[$t])
            .wrapping_add($e.rotate_right($q0) ^ $e.rotate_right($q1) ^ $e.rotate_right($q2))
            .wrapping_add($e & $f)
            .wrapping_add(!$e & $g);
        // Maj(a, b, c) = ((a ^ b) & (b ^ c)) ^ b.
        let t2 = ($a.rotate_right($r0) ^ $a.rotate_right($r1) ^ $a.rotate_right($r2))
            .wrapping_add((($a ^ $b) & ($b ^ $c)) ^ $b);
        $d = $d.wrapping_add(t1);
        $h = t1.wrapping_add(t2);
    };
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
    for t in (0..64).step_by(8) {
        eight_rounds!(wk, t, [2, 13, 22], [6, 11, 25], a, b, c, d, e, f, g, h);
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
    for t in (0..80).step_by(8) {
        eight_rounds!(wk, t, [28, 34, 39], [14, 18, 41], a, b, c, d, e, f, g, h);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}
