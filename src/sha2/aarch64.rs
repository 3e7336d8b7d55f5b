//! SHA-256 compression with the ARMv8 SHA-256 instructions (FEAT_SHA256).
//!
//! SHA256H/SHA256H2 do four rounds on the ABCD and EFGH halves of the state;
//! SHA256SU0/SU1 extend the schedule four words at a time (Arm ARM, C7.2).

use core::arch::aarch64::*;

use super::K256;
use crate::cpu;

/// Proof that this CPU has the SHA-256 instructions.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sha2(());

impl Sha2 {
    pub(super) fn new() -> Option<Self> {
        cpu::features().a64_sha2.then_some(Sha2(()))
    }

    #[inline]
    pub(super) fn compress256(self, state: &mut [u32; 8], blocks: &[[u8; 64]]) {
        // SAFETY: a `Sha2` exists only when the CPU has the SHA-256
        // instructions that `compress256_sha2` is compiled for.
        unsafe { compress256_sha2(state, blocks) }
    }
}

#[target_feature(enable = "neon,sha2")]
unsafe fn compress256_sha2(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    // SAFETY (whole body): loads and stores stay inside `state` (8 words),
    // `block` (64 bytes) and `K256` (64 words) by the constant offsets below.
    unsafe {
        let mut abcd = vld1q_u32(state.as_ptr());
        let mut efgh = vld1q_u32(state.as_ptr().add(4));
        for block in blocks {
            let (abcd0, efgh0) = (abcd, efgh);
            let p = block.as_ptr();
            let load = |off: usize| vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p.add(off))));
            let (mut w0, mut w1, mut w2, mut w3) = (load(0), load(16), load(32), load(48));
            // Four rounds on schedule words 4i..4i+3 (in `$wa`), then, while
            // they are still needed, the words of group i + 4 replace them.
            // Written out with named registers: every index is a constant.
            macro_rules! group {
                ($wa:ident, $wb:ident, $wc:ident, $wd:ident, $i:literal, last) => {
                    let wk = vaddq_u32($wa, vld1q_u32(K256.as_ptr().add(4 * $i)));
                    let abcd_prev = abcd;
                    abcd = vsha256hq_u32(abcd, efgh, wk);
                    efgh = vsha256h2q_u32(efgh, abcd_prev, wk);
                };
                ($wa:ident, $wb:ident, $wc:ident, $wd:ident, $i:literal, more) => {
                    group!($wa, $wb, $wc, $wd, $i, last);
                    $wa = vsha256su1q_u32(vsha256su0q_u32($wa, $wb), $wc, $wd);
                };
            }
            group!(w0, w1, w2, w3, 0, more);
            group!(w1, w2, w3, w0, 1, more);
            group!(w2, w3, w0, w1, 2, more);
            group!(w3, w0, w1, w2, 3, more);
            group!(w0, w1, w2, w3, 4, more);
            group!(w1, w2, w3, w0, 5, more);
            group!(w2, w3, w0, w1, 6, more);
            group!(w3, w0, w1, w2, 7, more);
            group!(w0, w1, w2, w3, 8, more);
            group!(w1, w2, w3, w0, 9, more);
            group!(w2, w3, w0, w1, 10, more);
            group!(w3, w0, w1, w2, 11, more);
            group!(w0, w1, w2, w3, 12, last);
            group!(w1, w2, w3, w0, 13, last);
            group!(w2, w3, w0, w1, 14, last);
            group!(w3, w0, w1, w2, 15, last);
            abcd = vaddq_u32(abcd, abcd0);
            efgh = vaddq_u32(efgh, efgh0);
        }
        vst1q_u32(state.as_mut_ptr(), abcd);
        vst1q_u32(state.as_mut_ptr().add(4), efgh);
    }
}
