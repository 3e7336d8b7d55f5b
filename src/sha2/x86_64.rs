//! SHA-256 compression with the x86_64 SHA extensions (SHA-NI).
//!
//! The state is kept as the two halves SHA256RNDS2 wants, ABEF and CDGH; each
//! instruction does two rounds, and SHA256MSG1/MSG2 compute the schedule four
//! words at a time (Intel, "New Instructions Supporting the Secure Hash
//! Algorithm on Intel Architecture Processors", 2013).

use core::arch::x86_64::*;

use super::K256;
use crate::cpu;

/// Proof that this CPU has SHA-NI, SSSE3 and SSE4.1: only [`ShaNi::new`]
/// makes one, after detection said yes.
#[derive(Clone, Copy, Debug)]
pub(super) struct ShaNi(());

impl ShaNi {
    pub(super) fn new() -> Option<Self> {
        cpu::features().sha_ni.then_some(ShaNi(()))
    }

    #[inline]
    pub(super) fn compress256(self, state: &mut [u32; 8], blocks: &[[u8; 64]]) {
        // SAFETY: a `ShaNi` exists only when the CPU has every feature that
        // `compress256_shani` is compiled for.
        unsafe { compress256_shani(state, blocks) }
    }
}

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
unsafe fn compress256_shani(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    // SAFETY (whole body): every load and store is unaligned (`loadu`/`storeu`)
    // and stays inside `state` (32 bytes), `block` (64 bytes) or `K256`
    // (256 bytes), by the constant offsets below.
    unsafe {
        // Byte order within each 32-bit word: the message is big-endian.
        let bswap = _mm_set_epi64x(0x0c0d0e0f_08090a0b, 0x04050607_00010203);
        let dcba = _mm_loadu_si128(state.as_ptr().cast());
        let hgfe = _mm_loadu_si128(state.as_ptr().add(4).cast());
        let cdab = _mm_shuffle_epi32(dcba, 0xb1);
        let efgh = _mm_shuffle_epi32(hgfe, 0x1b);
        let mut abef = _mm_alignr_epi8(cdab, efgh, 8);
        let mut cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

        for block in blocks {
            let (abef0, cdgh0) = (abef, cdgh);
            let p = block.as_ptr();
            let mut w = [
                _mm_shuffle_epi8(_mm_loadu_si128(p.cast()), bswap),
                _mm_shuffle_epi8(_mm_loadu_si128(p.add(16).cast()), bswap),
                _mm_shuffle_epi8(_mm_loadu_si128(p.add(32).cast()), bswap),
                _mm_shuffle_epi8(_mm_loadu_si128(p.add(48).cast()), bswap),
            ];
            // 16 groups of four rounds; group i uses schedule words 4i..4i+3.
            // The array index is a loop constant, never data.
            for i in 0..16 {
                if i >= 4 {
                    let prev = w[(i + 3) % 4];
                    let t = _mm_add_epi32(
                        _mm_sha256msg1_epu32(w[i % 4], w[(i + 1) % 4]),
                        _mm_alignr_epi8(prev, w[(i + 2) % 4], 4),
                    );
                    w[i % 4] = _mm_sha256msg2_epu32(t, prev);
                }
                let k = _mm_loadu_si128(K256.as_ptr().add(4 * i).cast());
                let wk = _mm_add_epi32(w[i % 4], k);
                // Two rounds each: after the first, the old ABEF is the new
                // CDGH, so the second call's roles are already in place.
                cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
                abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
            }
            abef = _mm_add_epi32(abef, abef0);
            cdgh = _mm_add_epi32(cdgh, cdgh0);
        }

        let feba = _mm_shuffle_epi32(abef, 0x1b);
        let dchg = _mm_shuffle_epi32(cdgh, 0xb1);
        let dcba = _mm_blend_epi16(feba, dchg, 0xf0);
        let hgfe = _mm_alignr_epi8(dchg, feba, 8);
        _mm_storeu_si128(state.as_mut_ptr().cast(), dcba);
        _mm_storeu_si128(state.as_mut_ptr().add(4).cast(), hgfe);
    }
}
