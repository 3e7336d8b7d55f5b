//! Portable arithmetic mod p = 2^255 - 19: five 51-bit limbs, u128 products.
//!
//! Every function is branch-free and `const`, so the fixed-base table can be
//! built by the compiler with the same code that runs at run time.
//!
//! Limb bounds: `mul`, `sqr`, `sub`, `mul_a24` and `carry` return limbs below
//! 2^52; `add` returns the limbwise sum. `mul` and `sqr` accept limbs below
//! 2^56, so any sum of two or three reduced values may be fed to them.

use super::field::Field;

/// A field element: value = sum of limb[i] * 2^(51 i), not necessarily reduced.
pub(super) type Fe = [u64; 5];

const MASK: u64 = (1 << 51) - 1;

/// The portable backend (no CPU requirements).
#[derive(Clone, Copy, Debug)]
pub(super) struct Soft;

/// The value of four little-endian words, bit 255 ignored (RFC 7748 §5 masks
/// it in u-coordinates; canonical table entries never have it set).
pub(super) const fn from_words(w: &[u64; 4]) -> Fe {
    [
        w[0] & MASK,
        ((w[0] >> 51) | (w[1] << 13)) & MASK,
        ((w[1] >> 38) | (w[2] << 26)) & MASK,
        ((w[2] >> 25) | (w[3] << 39)) & MASK,
        (w[3] >> 12) & MASK,
    ]
}

/// Carries so every limb is below 2^51 + 2^14 (the top carry folded times 19).
pub(super) const fn carry(a: &Fe) -> Fe {
    let mut h = *a;
    let mut c;
    c = h[0] >> 51;
    h[0] &= MASK;
    h[1] += c;
    c = h[1] >> 51;
    h[1] &= MASK;
    h[2] += c;
    c = h[2] >> 51;
    h[2] &= MASK;
    h[3] += c;
    c = h[3] >> 51;
    h[3] &= MASK;
    h[4] += c;
    c = h[4] >> 51;
    h[4] &= MASK;
    h[0] += c * 19;
    c = h[0] >> 51;
    h[0] &= MASK;
    h[1] += c;
    h
}

/// The canonical value (in [0, p)) as four little-endian words.
pub(super) const fn to_words(a: &Fe) -> [u64; 4] {
    // Two passes leave every limb below 2^51 except limb 0 (below 2^51 + 19*2),
    // so the value is below 2^255 + 38 < 2p.
    let mut h = carry(&carry(a));
    // q = 1 exactly when h >= p, found from the carry out of h + 19.
    let mut q = (h[0] + 19) >> 51;
    q = (h[1] + q) >> 51;
    q = (h[2] + q) >> 51;
    q = (h[3] + q) >> 51;
    q = (h[4] + q) >> 51;
    h[0] += 19 * q;
    let mut c;
    c = h[0] >> 51;
    h[0] &= MASK;
    h[1] += c;
    c = h[1] >> 51;
    h[1] &= MASK;
    h[2] += c;
    c = h[2] >> 51;
    h[2] &= MASK;
    h[3] += c;
    c = h[3] >> 51;
    h[3] &= MASK;
    h[4] += c;
    h[4] &= MASK; // drops 2^255, which is the q * 2^255 in h + 19q - q*p
    [
        h[0] | (h[1] << 51),
        (h[1] >> 13) | (h[2] << 38),
        (h[2] >> 26) | (h[3] << 25),
        (h[3] >> 39) | (h[4] << 12),
    ]
}

pub(super) const fn add(a: &Fe, b: &Fe) -> Fe {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4]]
}

/// a - b, computed as a + 8p - b so no limb goes negative (b's limbs must be
/// below 2^54 - 152), then carried.
pub(super) const fn sub(a: &Fe, b: &Fe) -> Fe {
    const P8_0: u64 = 8 * ((1 << 51) - 19);
    const P8_I: u64 = 8 * MASK;
    carry(&[
        a[0] + P8_0 - b[0],
        a[1] + P8_I - b[1],
        a[2] + P8_I - b[2],
        a[3] + P8_I - b[3],
        a[4] + P8_I - b[4],
    ])
}

/// Folds five 128-bit column sums into limbs below 2^52.
#[inline(always)]
const fn reduce_wide(r: [u128; 5]) -> Fe {
    let mut r = r;
    r[1] += r[0] >> 51;
    r[2] += r[1] >> 51;
    r[3] += r[2] >> 51;
    r[4] += r[3] >> 51;
    let top = r[4] >> 51;
    let l0 = (r[0] as u64 & MASK) as u128 + top * 19;
    [
        l0 as u64 & MASK,
        (r[1] as u64 & MASK) + (l0 >> 51) as u64,
        r[2] as u64 & MASK,
        r[3] as u64 & MASK,
        r[4] as u64 & MASK,
    ]
}

#[inline(always)]
const fn m(a: u64, b: u64) -> u128 {
    (a as u128) * (b as u128)
}

pub(super) const fn mul(a: &Fe, b: &Fe) -> Fe {
    // 2^255 = 19 (mod p): a product term landing at limb 5 + i folds into limb
    // i times 19.
    let (b1, b2, b3, b4) = (b[1] * 19, b[2] * 19, b[3] * 19, b[4] * 19);
    reduce_wide([
        m(a[0], b[0]) + m(a[1], b4) + m(a[2], b3) + m(a[3], b2) + m(a[4], b1),
        m(a[0], b[1]) + m(a[1], b[0]) + m(a[2], b4) + m(a[3], b3) + m(a[4], b2),
        m(a[0], b[2]) + m(a[1], b[1]) + m(a[2], b[0]) + m(a[3], b4) + m(a[4], b3),
        m(a[0], b[3]) + m(a[1], b[2]) + m(a[2], b[1]) + m(a[3], b[0]) + m(a[4], b4),
        m(a[0], b[4]) + m(a[1], b[3]) + m(a[2], b[2]) + m(a[3], b[1]) + m(a[4], b[0]),
    ])
}

pub(super) const fn sqr(a: &Fe) -> Fe {
    let (d0, d1, d2, d3) = (2 * a[0], 2 * a[1], 2 * a[2], 2 * a[3]);
    let (a3_19, a4_19) = (19 * a[3], 19 * a[4]);
    reduce_wide([
        m(a[0], a[0]) + m(d1, a4_19) + m(d2, a3_19),
        m(d0, a[1]) + m(d2, a4_19) + m(a[3], a3_19),
        m(d0, a[2]) + m(a[1], a[1]) + m(d3, a4_19),
        m(d0, a[3]) + m(d1, a[2]) + m(a[4], a4_19),
        m(d0, a[4]) + m(d1, a[3]) + m(a[2], a[2]),
    ])
}

/// a * 121665 ((A - 2) / 4 for Curve25519's A = 486662).
pub(super) const fn mul_a24(a: &Fe) -> Fe {
    const A24: u64 = 121665;
    reduce_wide([m(a[0], A24), m(a[1], A24), m(a[2], A24), m(a[3], A24), m(a[4], A24)])
}

/// a^(2^n).
pub(super) const fn sqr_n(a: &Fe, n: u32) -> Fe {
    let mut x = *a;
    let mut i = 0;
    while i < n {
        x = sqr(&x);
        i += 1;
    }
    x
}

/// a^(p - 2) = 1/a (0 for 0) by the usual chain of 254 squarings and 11
/// multiplications: the portable backend's inversion, the `const` one for
/// the table build, and the reference the x86_64 chain is tested against.
pub(super) const fn invert(z: &Fe) -> Fe {
    let z2 = sqr(z);
    let z9 = mul(&sqr_n(&z2, 2), z);
    let z11 = mul(&z9, &z2);
    let z_5_0 = mul(&sqr(&z11), &z9);
    let z_10_0 = mul(&sqr_n(&z_5_0, 5), &z_5_0);
    let z_20_0 = mul(&sqr_n(&z_10_0, 10), &z_10_0);
    let z_40_0 = mul(&sqr_n(&z_20_0, 20), &z_20_0);
    let z_50_0 = mul(&sqr_n(&z_40_0, 10), &z_10_0);
    let z_100_0 = mul(&sqr_n(&z_50_0, 50), &z_50_0);
    let z_200_0 = mul(&sqr_n(&z_100_0, 100), &z_100_0);
    let z_250_0 = mul(&sqr_n(&z_200_0, 50), &z_50_0);
    mul(&sqr_n(&z_250_0, 5), &z11)
}

impl Field for Soft {
    type Fe = Fe;

    #[inline(always)]
    fn zero(self) -> Fe {
        [0; 5]
    }
    #[inline(always)]
    fn one(self) -> Fe {
        [1, 0, 0, 0, 0]
    }
    #[inline(always)]
    fn load(self, w: &[u64; 4]) -> Fe {
        from_words(w)
    }
    #[inline(always)]
    fn store(self, a: &Fe) -> [u64; 4] {
        to_words(a)
    }
    #[inline(always)]
    fn add(self, a: &Fe, b: &Fe) -> Fe {
        add(a, b)
    }
    #[inline(always)]
    fn sub(self, a: &Fe, b: &Fe) -> Fe {
        sub(a, b)
    }
    #[inline(always)]
    fn mul(self, a: &Fe, b: &Fe) -> Fe {
        mul(a, b)
    }
    #[inline(always)]
    fn sqr(self, a: &Fe) -> Fe {
        sqr(a)
    }
    #[inline(always)]
    fn mul_a24(self, a: &Fe) -> Fe {
        mul_a24(a)
    }

    fn invert(self, z: &Fe) -> Fe {
        invert(z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_encoding() {
        let m = u64::MAX;
        // p encodes 0, p + 1 encodes 1, 2^255 - 1 encodes 18; bit 255 is dropped.
        assert_eq!(to_words(&from_words(&[m - 18, m, m, m >> 1])), [0; 4]);
        assert_eq!(to_words(&from_words(&[m - 17, m, m, m >> 1])), [1, 0, 0, 0]);
        assert_eq!(to_words(&from_words(&[m; 4])), [18, 0, 0, 0]);
        assert_eq!(to_words(&from_words(&[m - 19, m, m, m >> 1])), [m - 19, m, m, m >> 1]);
        // (p - 1)^2 = 1 and (p - 1) * 1/(p - 1) = 1.
        let pm1 = from_words(&[m - 19, m, m, m >> 1]);
        assert_eq!(to_words(&sqr(&pm1)), [1, 0, 0, 0]);
        assert_eq!(to_words(&mul(&pm1, &invert(&pm1))), [1, 0, 0, 0]);
        assert_eq!(to_words(&sub(&[0; 5], &[1, 0, 0, 0, 0])), [m - 19, m, m, m >> 1]);
    }
}
