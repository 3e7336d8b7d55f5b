//! The curve code, generic over the field backend: the Montgomery ladder of
//! RFC 7748 §5 for variable-base X25519, and a fixed-base multiplication on
//! the birationally equivalent twisted Edwards curve (Ed25519's, RFC 8032
//! §5.1) with a precomputed table, mapped back by u = (1 + y) / (1 - y).

use super::field::{Field, bytes_from_words, words_from_bytes};
use super::soft;
use crate::ct;

/// RFC 7748 §5 decodeScalar25519: clear bits 0-2 and 255, set bit 254.
#[inline]
pub(super) fn clamp(k: &[u8; 32]) -> [u8; 32] {
    let mut k = *k;
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    k
}

/// The Montgomery ladder over bits 254..0 of the clamped scalar `k`, with u's
/// top bit masked. Constant time: the scalar only drives masked swaps.
pub(super) fn ladder<F: Field>(f: F, k: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let x1 = f.load(&words_from_bytes(u));
    let mut x2 = f.one();
    let mut z2 = f.zero();
    let mut x3 = x1;
    let mut z3 = f.one();
    let mut swap = 0u64;
    for t in (0..255).rev() {
        let bit = f.opaque(u64::from((k[t / 8] >> (t % 8)) & 1));
        let mask = (swap ^ bit).wrapping_neg();
        f.cswap(mask, &mut x2, &mut x3);
        f.cswap(mask, &mut z2, &mut z3);
        swap = bit;

        let a = f.add(&x2, &z2);
        let aa = f.sqr(&a);
        let b = f.sub(&x2, &z2);
        let bb = f.sqr(&b);
        let e = f.sub(&aa, &bb);
        let c = f.add(&x3, &z3);
        let d = f.sub(&x3, &z3);
        let da = f.mul(&d, &a);
        let cb = f.mul(&c, &b);
        x3 = f.sqr(&f.add(&da, &cb));
        z3 = f.mul(&x1, &f.sqr(&f.sub(&da, &cb)));
        x2 = f.mul(&aa, &bb);
        z2 = f.mul(&e, &f.add(&aa, &f.mul_a24(&e)));
    }
    let mask = swap.wrapping_neg();
    f.cswap(mask, &mut x2, &mut x3);
    f.cswap(mask, &mut z2, &mut z3);
    let mut r = f.mul(&x2, &f.invert(&z2));
    let out = bytes_from_words(&f.store(&r));
    for v in [&mut x2, &mut z2, &mut x3, &mut z3, &mut r] {
        ct::wipe_words(v.as_mut());
    }
    out
}

/// A point in extended coordinates: x = X/Z, y = Y/Z, xy = T/Z.
#[derive(Clone, Copy)]
pub(super) struct Ext<E> {
    pub(super) x: E,
    pub(super) y: E,
    pub(super) z: E,
    pub(super) t: E,
}

/// An affine point as (y + x, y - x, 2d x y), ready for a mixed addition.
#[derive(Clone, Copy)]
pub(super) struct Niels<E> {
    pub(super) ypx: E,
    pub(super) ymx: E,
    pub(super) xy2d: E,
}

/// p + q for the a = -1 twisted Edwards curve (add-2008-hwcd-3, complete on
/// Ed25519 since d is not a square).
#[inline(always)]
fn madd<F: Field>(f: F, p: &Ext<F::Fe>, q: &Niels<F::Fe>) -> Ext<F::Fe> {
    let a = f.mul(&f.sub(&p.y, &p.x), &q.ymx);
    let b = f.mul(&f.add(&p.y, &p.x), &q.ypx);
    let c = f.mul(&p.t, &q.xy2d);
    let d = f.add(&p.z, &p.z);
    let e = f.sub(&b, &a);
    let ff = f.sub(&d, &c);
    let g = f.add(&d, &c);
    let h = f.add(&b, &a);
    Ext { x: f.mul(&e, &ff), y: f.mul(&g, &h), z: f.mul(&ff, &g), t: f.mul(&e, &h) }
}

/// Window width of the fixed-base multiplication: signed digits in
/// [-2^(W-1), 2^(W-1)], one table row per digit position.
const W: usize = 5;
/// Multiples per row: 1..=2^(W-1).
const ENTRIES: usize = 1 << (W - 1);
/// Digit positions below bit 255. A clamped scalar has bit 254 set and bit
/// 255 clear, so its top digit (bits 250-254) is at least 16 and always
/// hands a carry of exactly 1 to bit 255: that term, 2^255 B, is no secret,
/// and the running point starts there instead of taking a table row.
const DIGITS: usize = 255 / W;
const ROWS: usize = DIGITS;

/// The signed digits of the clamped scalar `k`: k = sum e[i] 2^(W i) +
/// 2^255 with e[i] in [-2^(W-1), 2^(W-1)]. The bit positions are public;
/// only the digit values are secret.
fn recode(k: &[u8; 32]) -> [i8; DIGITS] {
    let kw = words_from_bytes(k);
    let mut e = [0i8; DIGITS];
    for (i, x) in e.iter_mut().enumerate() {
        let (idx, off) = (W * i / 64, W * i % 64);
        let mut v = kw[idx] >> off;
        if off + W > 64 && idx + 1 < 4 {
            v |= kw[idx + 1] << (64 - off);
        }
        *x = (v & ((1 << W) - 1)) as i8;
    }
    let mut carry = 0i8;
    for x in e.iter_mut() {
        *x += carry;
        carry = (*x + ENTRIES as i8) >> W;
        *x -= carry << W;
    }
    // The last carry is the 2^255 term: always 1 for a clamped scalar.
    debug_assert_eq!(carry, 1);
    e
}

/// digit * (row's base point), |digit| <= ENTRIES. Reads every entry of the
/// row whatever the digit: no secret-dependent index or branch.
#[inline(always)]
pub(super) fn lookup<F: Field>(f: F, row: &Row, digit: i8) -> Niels<F::Fe> {
    let neg = u64::from((digit as u8) >> 7);
    let d = i64::from(digit);
    let abs = ((d ^ (neg as i64).wrapping_neg()) + neg as i64) as u64;
    let mut w = f.select_entry(row, abs);
    // Digit 0 gives the neutral element (y + x, y - x, 2dxy) = (1, 1, 0).
    let zero = ct::eq_mask_u64(abs, 0);
    w[0] |= zero & 1;
    w[4] |= zero & 1;
    // -(x, y) = (-x, y): swap y + x with y - x and negate 2dxy.
    let neg_mask = f.opaque(neg).wrapping_neg();
    let mut ypx = f.load(&[w[0], w[1], w[2], w[3]]);
    let mut ymx = f.load(&[w[4], w[5], w[6], w[7]]);
    f.cswap(neg_mask, &mut ypx, &mut ymx);
    let xy2d = f.load(&[w[8], w[9], w[10], w[11]]);
    let xy2d = f.select(neg_mask, &f.sub(&f.zero(), &xy2d), &xy2d);
    ct::wipe_words(&mut w);
    Niels { ypx, ymx, xy2d }
}

/// The running point of the fixed-base multiplication, with the addition
/// it needs; a backend may keep it in its own layout.
pub(super) trait Accumulator<F: Field> {
    /// The point 2^255 B ([`START`]), where every fixed-base
    /// multiplication starts.
    fn new(f: F) -> Self;
    /// self += digit * (the row's base point), |digit| <= ENTRIES, reading
    /// the whole row whatever the digit.
    fn add_digit(&mut self, f: F, row: &Row, digit: i8);
    /// The point, in extended coordinates.
    fn point(&self, f: F) -> Ext<F::Fe>;
}

/// The generic accumulator: [`lookup`] and the formulas above, on the
/// field's elements.
struct Generic<E: Copy + AsMut<[u64]>>(Ext<E>);

impl<F: Field> Accumulator<F> for Generic<F::Fe> {
    #[inline(always)]
    fn new(f: F) -> Self {
        let [x, y, t] = START;
        Generic(Ext { x: f.load(&x), y: f.load(&y), z: f.one(), t: f.load(&t) })
    }
    #[inline(always)]
    fn add_digit(&mut self, f: F, row: &Row, digit: i8) {
        self.0 = madd(f, &self.0, &lookup(f, row, digit));
    }
    #[inline(always)]
    fn point(&self, _: F) -> Ext<F::Fe> {
        self.0
    }
}

impl<E: Copy + AsMut<[u64]>> Drop for Generic<E> {
    fn drop(&mut self) {
        let h = &mut self.0;
        for v in [&mut h.x, &mut h.y, &mut h.z, &mut h.t] {
            ct::wipe_words(v.as_mut());
        }
    }
}

/// u(k B) for the clamped scalar `k` and the base point B (u = 9), by a
/// signed-window fixed-base multiplication on the Edwards curve.
/// Constant time: every table access is a full-row scan.
#[inline(always)]
pub(super) fn base_mul<F: Field>(f: F, k: &[u8; 32]) -> [u8; 32] {
    base_mul_with::<F, Generic<F::Fe>>(f, k)
}

/// [`base_mul`] with the running point kept by `A`.
#[inline(always)]
pub(super) fn base_mul_with<F: Field, A: Accumulator<F>>(f: F, k: &[u8; 32]) -> [u8; 32] {
    let mut e = recode(k);
    // Row i of the table holds 1..=ENTRIES times 2^(W i) B: one mixed
    // addition per digit, no doubling.
    let mut h = A::new(f);
    for (row, &digit) in BASE_TABLE.iter().zip(&e) {
        h.add_digit(f, row, digit);
    }
    ct::wipe_words(&mut e);

    // u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y); kB is never the neutral
    // element for a clamped k (8 < 8k/2^254 and B has prime order), so Z != Y.
    let mut p = h.point(f);
    let mut u = f.mul(&f.add(&p.z, &p.y), &f.invert(&f.sub(&p.z, &p.y)));
    let out = bytes_from_words(&f.store(&u));
    for v in [&mut p.x, &mut p.y, &mut p.z, &mut p.t, &mut u] {
        ct::wipe_words(v.as_mut());
    }
    out
}

/// ENTRIES affine points: entry j is (j + 1) times the row's base, as
/// (y + x, y - x, 2dxy) in canonical little-endian words.
pub(super) type Row = [[u64; 12]; ENTRIES];
/// Row i has the multiples of 2^(W i) B.
type Table = [Row; ROWS];

/// Built by the compiler from the base point with the portable field's
/// `const fn`s (no generated literal to trust).
static BASE_TABLE: Aligned = Aligned(build_table());

/// Cache-line alignment: with 96-byte entries every 32-byte load then stays
/// inside one line.
#[repr(C, align(64))]
struct Aligned(Table);

impl core::ops::Deref for Aligned {
    type Target = Table;
    fn deref(&self) -> &Table {
        &self.0
    }
}

/// Ed25519's base point B (y = 4/5, x even), and 2d with d = -121665/121666.
const BASE_X: [u64; 4] = [0xc9562d608f25d51a, 0x692cc7609525a7b2, 0xc0a4e231fdd6dc5c, 0x216936d3cd6e53fe];
const BASE_Y: [u64; 4] = [0x6666666666666658, 0x6666666666666666, 0x6666666666666666, 0x6666666666666666];
const D2: [u64; 4] = [0xebd69b9426b2f159, 0x00e0149a8283b156, 0x198e80f2eef3d130, 0x2406d9dc56dffce7];

/// Extended coordinates over the portable field, for the `const` build.
#[derive(Clone, Copy)]
struct SoftExt {
    x: soft::Fe,
    y: soft::Fe,
    z: soft::Fe,
    t: soft::Fe,
}

/// p + q, both extended (add-2008-hwcd-3), in `const`.
const fn const_add(p: &SoftExt, q: &SoftExt) -> SoftExt {
    use soft::{add, mul, sub};
    let d2 = soft::from_words(&D2);
    let a = mul(&sub(&p.y, &p.x), &sub(&q.y, &q.x));
    let b = mul(&add(&p.y, &p.x), &add(&q.y, &q.x));
    let c = mul(&mul(&p.t, &d2), &q.t);
    let d = mul(&add(&p.z, &p.z), &q.z);
    let e = sub(&b, &a);
    let f = sub(&d, &c);
    let g = add(&d, &c);
    let h = add(&b, &a);
    SoftExt { x: mul(&e, &f), y: mul(&g, &h), z: mul(&f, &g), t: mul(&e, &h) }
}

/// 2p, in `const` (dbl-2008-hwcd with a = -1, signs folded so no negation
/// is needed).
const fn const_dbl(p: &SoftExt) -> SoftExt {
    use soft::{add, mul, sqr, sub};
    let a = sqr(&p.x);
    let b = sqr(&p.y);
    let zz = sqr(&p.z);
    let c = add(&zz, &zz);
    let h = add(&a, &b);
    let e = sub(&h, &sqr(&add(&p.x, &p.y)));
    let g = sub(&a, &b);
    let f = add(&c, &g);
    SoftExt { x: mul(&e, &f), y: mul(&g, &h), z: mul(&f, &g), t: mul(&e, &h) }
}

/// 2^255 B in affine coordinates (x, y, xy), canonical words: the point
/// every fixed-base multiplication starts from (see [`DIGITS`]).
pub(super) const START: [[u64; 4]; 3] = {
    use soft::{invert, mul, to_words};
    let mut p = SoftExt {
        x: soft::from_words(&BASE_X),
        y: soft::from_words(&BASE_Y),
        z: [1, 0, 0, 0, 0],
        t: mul(&soft::from_words(&BASE_X), &soft::from_words(&BASE_Y)),
    };
    let mut i = 0;
    while i < 255 {
        p = const_dbl(&p);
        i += 1;
    }
    let zinv = invert(&p.z);
    let (x, y) = (mul(&p.x, &zinv), mul(&p.y, &zinv));
    [to_words(&x), to_words(&y), to_words(&mul(&x, &y))]
};

const fn build_table() -> Table {
    use soft::{add, invert, mul, sub, to_words};
    let d2 = soft::from_words(&D2);
    let bx = soft::from_words(&BASE_X);
    let by = soft::from_words(&BASE_Y);
    let mut base = SoftExt { x: bx, y: by, z: [1, 0, 0, 0, 0], t: mul(&bx, &by) };
    let mut table = [[[0u64; 12]; ENTRIES]; ROWS];
    let mut i = 0;
    while i < ROWS {
        // The multiples of this row's base, then one inversion for all their
        // Z (prefix products, Montgomery's trick).
        let mut pts = [base; ENTRIES];
        let mut j = 1;
        while j < ENTRIES {
            pts[j] = const_add(&pts[j - 1], &base);
            j += 1;
        }
        let mut prefix = [pts[0].z; ENTRIES];
        j = 1;
        while j < ENTRIES {
            prefix[j] = mul(&prefix[j - 1], &pts[j].z);
            j += 1;
        }
        let mut inv = invert(&prefix[ENTRIES - 1]);
        j = ENTRIES;
        while j > 0 {
            j -= 1;
            let zinv = if j > 0 { mul(&inv, &prefix[j - 1]) } else { inv };
            inv = mul(&inv, &pts[j].z);
            let x = mul(&pts[j].x, &zinv);
            let y = mul(&pts[j].y, &zinv);
            let (ypx, ymx) = (to_words(&add(&y, &x)), to_words(&sub(&y, &x)));
            let xy2d = to_words(&mul(&mul(&x, &y), &d2));
            let mut k = 0;
            while k < 4 {
                table[i][j][k] = ypx[k];
                table[i][j][4 + k] = ymx[k];
                table[i][j][8 + k] = xy2d[k];
                k += 1;
            }
        }
        // Next row: 2^W times this row's base.
        j = 0;
        while j < W {
            base = const_dbl(&base);
            j += 1;
        }
        i += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_starts_at_the_base_point() {
        let x = soft::from_words(&BASE_X);
        let y = soft::from_words(&BASE_Y);
        assert_eq!(BASE_TABLE[0][0][..4], soft::to_words(&soft::add(&y, &x)));
        assert_eq!(BASE_TABLE[0][0][4..8], soft::to_words(&soft::sub(&y, &x)));
        // B is on the curve: -x^2 + y^2 = 1 + d x^2 y^2.
        let (x2, y2) = (soft::sqr(&x), soft::sqr(&y));
        let d = soft::mul(&soft::from_words(&D2), &soft::invert(&[2, 0, 0, 0, 0]));
        let lhs = soft::sub(&y2, &x2);
        let rhs = soft::add(&[1, 0, 0, 0, 0], &soft::mul(&d, &soft::mul(&x2, &y2)));
        assert_eq!(soft::to_words(&lhs), soft::to_words(&rhs));
    }

    /// START is 2^255 B: the last row's base 2^250 B, doubled five times.
    #[test]
    fn start_is_the_top_power_of_the_base() {
        let e = &BASE_TABLE[ROWS - 1][0];
        let (ypx, ymx) =
            (soft::from_words(&e[..4].try_into().unwrap()), soft::from_words(&e[4..8].try_into().unwrap()));
        let half = soft::invert(&[2, 0, 0, 0, 0]);
        let x = soft::mul(&soft::sub(&ypx, &ymx), &half);
        let y = soft::mul(&soft::add(&ypx, &ymx), &half);
        let mut p = SoftExt { x, y, z: [1, 0, 0, 0, 0], t: soft::mul(&x, &y) };
        for _ in 0..5 {
            p = const_dbl(&p);
        }
        let zinv = soft::invert(&p.z);
        let (x, y) = (soft::mul(&p.x, &zinv), soft::mul(&p.y, &zinv));
        assert_eq!(START, [soft::to_words(&x), soft::to_words(&y), soft::to_words(&soft::mul(&x, &y))]);
    }
}
