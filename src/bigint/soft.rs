//! Portable limb arithmetic: u64 limbs, u128 products, Montgomery
//! multiplication by coarsely integrated operand scanning (CIOS; Koç, Acar and
//! Kaliski, "Analyzing and comparing Montgomery multiplication algorithms").
//!
//! Every function here runs in time that depends only on slice lengths.

/// `t + a * b + c` as (low, high) words; never overflows.
#[inline(always)]
pub(crate) fn mac(t: u64, a: u64, b: u64, c: u64) -> (u64, u64) {
    let r = u128::from(a) * u128::from(b) + u128::from(t) + u128::from(c);
    (r as u64, (r >> 64) as u64)
}

/// `a + b + carry` as (sum, carry out).
#[inline(always)]
pub(crate) fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let r = u128::from(a) + u128::from(b) + u128::from(carry);
    (r as u64, (r >> 64) as u64)
}

/// `a - b - borrow` as (difference, borrow out in {0, 1}).
#[inline(always)]
pub(crate) fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let r = u128::from(a).wrapping_sub(u128::from(b)).wrapping_sub(u128::from(borrow));
    (r as u64, (r >> 127) as u64)
}

/// Montgomery product `r = a * b / 2^(64 len) mod n` with `len = n.len()`.
/// Requires `a * b < n * 2^(64 len)` (for example `a < 2^(64 len)` and
/// `b < n`); the result is fully reduced. Constant time.
pub(crate) fn mont_mul(r: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
    // The scratch array's size is a public function of the length; small
    // sizes avoid clearing a large buffer on every call.
    match n.len() {
        0..=16 => mont_mul_sized::<18>(r, a, b, n, n0),
        17..=32 => mont_mul_sized::<34>(r, a, b, n, n0),
        33..=64 => mont_mul_sized::<66>(r, a, b, n, n0),
        _ => mont_mul_sized::<{ super::MAX_LIMBS + 2 }>(r, a, b, n, n0),
    }
}

#[inline(always)]
fn mont_mul_sized<const T: usize>(r: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
    let len = n.len();
    let (a, b, r, n) = (&a[..len], &b[..len], &mut r[..len], &n[..len]);
    // One pass per word of b: t = (t + a b_i + m n) / 2^64, with m chosen so
    // the low word vanishes. The product and the reduction each keep their
    // own carry, so the two multiply chains overlap in the pipeline.
    let mut t = [0u64; T];
    let t = &mut t[..len + 1];
    for &bi in b {
        let (lo, mut c1) = mac(t[0], a[0], bi, 0);
        let m = lo.wrapping_mul(n0);
        let (_, mut c2) = mac(lo, m, n[0], 0);
        for j in 1..len {
            let (x, c) = mac(t[j], a[j], bi, c1);
            c1 = c;
            let (y, c) = mac(x, m, n[j], c2);
            c2 = c;
            t[j - 1] = y;
        }
        // t[len] is 0 or 1; the sum fits two words.
        let (s, hi) = adc(t[len], c1, c2);
        t[len - 1] = s;
        t[len] = hi;
    }
    final_sub(r, &t[..len], t[len], n);
}

/// Montgomery square `r = a^2 / 2^(64 len) mod n` for `a < n`: the cross
/// products once, doubled, plus the squares of the words, then `len`
/// reduction rows; each row's carry out is set aside and all are added in
/// one pass at the end. Constant time.
pub(crate) fn mont_sqr(r: &mut [u64], a: &[u64], n: &[u64], n0: u64) {
    match n.len() {
        0..=16 => mont_sqr_sized::<34>(r, a, n, n0),
        17..=32 => mont_sqr_sized::<66>(r, a, n, n0),
        33..=64 => mont_sqr_sized::<130>(r, a, n, n0),
        _ => mont_sqr_sized::<{ 2 * super::MAX_LIMBS + 2 }>(r, a, n, n0),
    }
}

#[inline(always)]
fn mont_sqr_sized<const T: usize>(r: &mut [u64], a: &[u64], n: &[u64], n0: u64) {
    let len = n.len();
    let (a, r, n) = (&a[..len], &mut r[..len], &n[..len]);
    let mut t = [0u64; T];
    let t = &mut t[..2 * len + 1];
    for i in 0..len {
        let mut c = 0;
        for j in i + 1..len {
            (t[i + j], c) = mac(t[i + j], a[i], a[j], c);
        }
        t[i + len] = c;
    }
    let mut top = 0;
    for w in t[..2 * len].iter_mut() {
        let v = *w;
        *w = (v << 1) | top;
        top = v >> 63;
    }
    let mut c = 0;
    for i in 0..len {
        let (lo, hi) = mac(0, a[i], a[i], 0);
        let (x, c1) = adc(t[2 * i], lo, c);
        let (y, c2) = adc(t[2 * i + 1], hi, c1);
        t[2 * i] = x;
        t[2 * i + 1] = y;
        c = c2;
    }
    // Row i's carry belongs at word i + len, which no later row's m reads.
    let mut deferred = [0u64; T];
    for i in 0..len {
        let m = t[i].wrapping_mul(n0);
        let mut c = 0;
        for j in 0..len {
            (t[i + j], c) = mac(t[i + j], m, n[j], c);
        }
        deferred[i + len] = c;
    }
    let mut c = 0;
    for (w, &d) in t[len..].iter_mut().zip(&deferred[len..2 * len + 1]) {
        (*w, c) = adc(*w, d, c);
    }
    final_sub(r, &t[len..2 * len], t[2 * len], n);
}

/// `r = (hi * 2^(64 len) + t) mod n` for a value below `2n`: subtracts `n`
/// once when needed, choosing by mask. Constant time.
#[inline(always)]
pub(crate) fn final_sub(r: &mut [u64], t: &[u64], hi: u64, n: &[u64]) {
    let mut borrow = 0;
    for ((rj, &tj), &nj) in r.iter_mut().zip(t).zip(n) {
        (*rj, borrow) = sbb(tj, nj, borrow);
    }
    // t < n exactly when the subtraction borrowed and there is no high word.
    let keep_t = (borrow & !hi & 1).wrapping_neg();
    for (rj, &tj) in r.iter_mut().zip(t) {
        *rj = crate::ct::select_u64(keep_t, tj, *rj);
    }
}

/// `x = 2x mod n` for `x < n`. Constant time.
pub(crate) fn double_mod(x: &mut [u64], n: &[u64], scratch: &mut [u64]) {
    let mut carry = 0;
    for xj in x.iter_mut() {
        let v = *xj;
        *xj = (v << 1) | carry;
        carry = v >> 63;
    }
    scratch[..x.len()].copy_from_slice(x);
    final_sub(x, &scratch[..n.len()], carry, n);
}

/// `r = a + b mod n` for `a, b < n`. Constant time.
pub(crate) fn add_mod(r: &mut [u64], a: &[u64], b: &[u64], n: &[u64]) {
    let len = n.len();
    let mut s = [0u64; super::MAX_LIMBS];
    let mut carry = 0;
    for j in 0..len {
        (s[j], carry) = adc(a[j], b[j], carry);
    }
    final_sub(&mut r[..len], &s[..len], carry, n);
    crate::ct::wipe_words(&mut s[..len]);
}

/// `r = a - b mod n` for `a, b < n`. Constant time.
pub(crate) fn sub_mod(r: &mut [u64], a: &[u64], b: &[u64], n: &[u64]) {
    let len = n.len();
    let mut borrow = 0;
    for j in 0..len {
        (r[j], borrow) = sbb(a[j], b[j], borrow);
    }
    // Add n back under the borrow's mask.
    let mask = borrow.wrapping_neg();
    let mut carry = 0;
    for j in 0..len {
        (r[j], carry) = adc(r[j], n[j] & mask, carry);
    }
}

/// `-n^-1 mod 2^64` for odd `n0` (Newton's iteration; each step doubles the
/// number of correct low bits, starting from 3). Constant time.
pub(crate) fn neg_inv_u64(n0: u64) -> u64 {
    let mut x = n0; // n * n = 1 mod 8 for odd n
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(n0.wrapping_mul(x)));
    }
    x.wrapping_neg()
}

/// `r = a * b` (schoolbook); `r.len() >= a.len() + b.len()`, and the limbs of
/// `r` beyond that are cleared. Constant time.
pub(crate) fn mul_plain(r: &mut [u64], a: &[u64], b: &[u64]) {
    r.fill(0);
    for (i, &bi) in b.iter().enumerate() {
        let mut c = 0;
        for (j, &aj) in a.iter().enumerate() {
            (r[i + j], c) = mac(r[i + j], aj, bi, c);
        }
        r[i + a.len()] = c;
    }
}

/// `r += a`, returning the carry out; `a.len() <= r.len()`. Constant time.
pub(crate) fn add_assign(r: &mut [u64], a: &[u64]) -> u64 {
    let mut carry = 0;
    for (j, rj) in r.iter_mut().enumerate() {
        let aj = a.get(j).copied().unwrap_or(0);
        (*rj, carry) = adc(*rj, aj, carry);
    }
    carry
}

/// All ones when `a < b` (equal lengths), else zero. Constant time.
pub(crate) fn lt_mask(a: &[u64], b: &[u64]) -> u64 {
    let mut borrow = 0;
    for (&x, &y) in a.iter().zip(b) {
        (_, borrow) = sbb(x, y, borrow);
    }
    borrow.wrapping_neg()
}

/// All ones when every limb is zero, else zero. Constant time.
pub(crate) fn is_zero_mask(a: &[u64]) -> u64 {
    let acc = a.iter().fold(0, |acc, &x| acc | x);
    crate::ct::eq_mask_u64(acc, 0)
}

/// All ones when `a == b` (equal lengths), else zero. Constant time.
pub(crate) fn eq_mask(a: &[u64], b: &[u64]) -> u64 {
    let acc = a.iter().zip(b).fold(0, |acc, (&x, &y)| acc | (x ^ y));
    crate::ct::eq_mask_u64(acc, 0)
}
