//! Arithmetic mod p = 2^255 - 19 on four 64-bit limbs with MULX, ADCX and
//! ADOX (BMI2 + ADX): two independent carry chains per row of the schoolbook
//! product, then 2^256 = 38 (mod p) folds the high half into the low one.
//!
//! Elements are any 256-bit values (reduced mod p only by `to_words`). The
//! instructions are written with `asm!`, so they inline into the generic
//! curve code without a `#[target_feature]` boundary; the `MulxAdx` token
//! proves the CPU has them.

use core::arch::asm;
use core::arch::x86_64::*;

use super::curve::{self, Accumulator, Ext};
use super::field::{Field, bytes_from_words, words_from_bytes};
use crate::{cpu, ct};

#[macro_use]
mod fe_asm;
mod chain;
mod edwards;
mod ladder;

/// A field element: value = sum of limb[i] * 2^(64 i), any value below 2^256.
pub(super) type Fe = [u64; 4];

/// The reduction that ends `mul` and `sqr`: the 512-bit product in z0..z6
/// and the register named by `$top` becomes z0..z3 + 38 (z4..z7), folded
/// once more (the top carry is below 40 units of 2^256), then a last carry.
/// Uses the `a` operand as a zero register from here on.
macro_rules! reduce_512 {
    ($top:literal) => {
        concat!(
            "mov edx, 38\n",
            "xor {a:e}, {a:e}\n",
            "mulx {hi}, {lo}, {z4}\n",
            "adcx {z0}, {lo}\n",
            "adox {z1}, {hi}\n",
            "mulx {hi}, {lo}, {z5}\n",
            "adcx {z1}, {lo}\n",
            "adox {z2}, {hi}\n",
            "mulx {hi}, {lo}, {z6}\n",
            "adcx {z2}, {lo}\n",
            "adox {z3}, {hi}\n",
            "mulx {z4}, {lo}, {",
            $top,
            "}\n",
            "adcx {z3}, {lo}\n",
            "adox {z4}, {a}\n",
            "adcx {z4}, {a}\n",
            "imul {z4}, {z4}, 38\n",
            "add {z0}, {z4}\n",
            "adc {z1}, 0\n",
            "adc {z2}, 0\n",
            "adc {z3}, 0\n",
            "sbb {z4}, {z4}\n",
            "and {z4}, 38\n",
            "add {z0}, {z4}\n",
        )
    };
}

/// Proof that this CPU has BMI2 and ADX: only [`MulxAdx::new`] makes one,
/// after detection said yes. It also records whether AVX2 is there, for the
/// table scans of the fixed-base path.
#[derive(Clone, Copy, Debug)]
pub(super) struct MulxAdx {
    avx2: bool,
}

impl MulxAdx {
    pub(super) fn new() -> Option<Self> {
        let f = cpu::features();
        (f.bmi2 && f.adx).then_some(MulxAdx { avx2: f.avx2 })
    }

    /// The variable-base Montgomery ladder for the clamped scalar `k`: the
    /// loop is one assembly routine (`ladder.rs`), which leaves kP in
    /// (x2, z2); then the inversion and one product.
    pub(super) fn ladder(self, k: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
        use ladder::{COUNT, K, WORDS, X1, X2, X3, Z2, Z3};
        let x1 = self.load(&words_from_bytes(u));
        let mut s = [0u64; WORDS];
        s[X1..X1 + 4].copy_from_slice(&x1);
        s[X2] = 1;
        s[X3..X3 + 4].copy_from_slice(&x1);
        s[Z3] = 1;
        s[K..K + 4].copy_from_slice(&words_from_bytes(k));
        s[COUNT] = 254;
        // SAFETY: the token proves the CPU has BMI2 and ADX, all `run`
        // needs; the state has the layout it expects.
        unsafe { ladder::run(&mut s) };
        let mut x2: Fe = core::array::from_fn(|i| s[X2 + i]);
        let mut z2: Fe = core::array::from_fn(|i| s[Z2 + i]);
        let mut r = self.mul(&x2, &self.invert(&z2));
        let out = bytes_from_words(&self.store(&r));
        ct::wipe_words(&mut s);
        for v in [&mut x2, &mut z2, &mut r] {
            ct::wipe_words(v);
        }
        out
    }

    /// The fixed-base multiplication, compiled with AVX2 where the CPU has
    /// it so the full-scan table lookups use 256-bit vectors.
    pub(super) fn base_mul(self, k: &[u8; 32]) -> [u8; 32] {
        if self.avx2 {
            // SAFETY: detection said this CPU has AVX2, and the token proves
            // BMI2 and ADX: every feature `base_mul_avx2` is compiled for.
            unsafe { base_mul_avx2(self, k) }
        } else {
            curve::base_mul_with::<_, EdwardsState>(self, k)
        }
    }
}

#[target_feature(enable = "avx2,bmi2,adx")]
unsafe fn base_mul_avx2(f: MulxAdx, k: &[u8; 32]) -> [u8; 32] {
    curve::base_mul_with::<_, EdwardsAvx2>(f, k)
}

/// The running point of the fixed-base multiplication in the layout of
/// `edwards.rs`, changed only by its assembly routines, so its coordinates
/// stay as bounded as they require. Wiped on drop.
struct EdwardsState([u64; edwards::WORDS]);

impl Accumulator<MulxAdx> for EdwardsState {
    #[inline(always)]
    fn new(_: MulxAdx) -> Self {
        use edwards::{T, X, Y, Z};
        let [x, y, t] = curve::START;
        let mut s = [0u64; edwards::WORDS];
        s[X..X + 4].copy_from_slice(&x);
        s[Y..Y + 4].copy_from_slice(&y);
        s[Z] = 1;
        s[T..T + 4].copy_from_slice(&t);
        EdwardsState(s)
    }

    /// The generic lookup, negation included, copied into the state.
    #[inline(always)]
    fn add_digit(&mut self, f: MulxAdx, row: &curve::Row, digit: i8) {
        use edwards::{NEG, XY2D, YMX, YPX};
        let q = curve::lookup(f, row, digit);
        let s = &mut self.0;
        s[YPX..YPX + 4].copy_from_slice(&q.ypx);
        s[YMX..YMX + 4].copy_from_slice(&q.ymx);
        s[XY2D..XY2D + 4].copy_from_slice(&q.xy2d);
        s[NEG] = 0;
        // SAFETY: the token (the `MulxAdx` argument this accumulator is
        // only used with) proves the CPU has BMI2 and ADX.
        unsafe { edwards::madd(s) };
    }

    #[inline(always)]
    fn point(&self, _: MulxAdx) -> Ext<Fe> {
        use edwards::{T, X, Y, Z};
        let s = &self.0;
        Ext { x: slot(s, X), y: slot(s, Y), z: slot(s, Z), t: slot(s, T) }
    }
}

/// [`EdwardsState`] for CPUs with AVX2, used only inside `base_mul_avx2`:
/// the row scan writes the entry straight into the state and leaves its
/// sign to `edwards::madd` ([`lookup_avx2`]).
struct EdwardsAvx2(EdwardsState);

impl Accumulator<MulxAdx> for EdwardsAvx2 {
    #[inline(always)]
    fn new(f: MulxAdx) -> Self {
        EdwardsAvx2(EdwardsState::new(f))
    }

    #[inline(always)]
    fn add_digit(&mut self, _: MulxAdx, row: &curve::Row, digit: i8) {
        let s = &mut self.0.0;
        // SAFETY: this accumulator is only used by `base_mul_avx2`, which
        // runs only where detection found AVX2, BMI2 and ADX.
        unsafe {
            lookup_avx2(row, digit, s);
            edwards::madd(s);
        }
    }

    #[inline(always)]
    fn point(&self, f: MulxAdx) -> Ext<Fe> {
        self.0.point(f)
    }
}

/// digit * (the row's base point) into the operand slots of the state:
/// the entry |digit| found by a full scan of the row (every entry read,
/// selected by vector masks), (1, 1, 0) for digit 0, and for a negative
/// digit y + x and y - x exchanged (a vector blend) and the sign left in
/// the `NEG` slot: `edwards::madd` then adds -(x, y) = (-x, y) by
/// exchanging the two sums that 2dxy enters with opposite signs.
///
/// # Safety
///
/// The CPU must have AVX2. Inlined only: its caller is compiled for AVX2,
/// and the intrinsics inline there (a `#[target_feature]` function could
/// not be inlined through the accumulator's trait method).
#[inline(always)]
unsafe fn lookup_avx2(row: &curve::Row, digit: i8, s: &mut [u64; edwards::WORDS]) {
    let neg = u64::from((digit as u8) >> 7);
    let d = i64::from(digit);
    let abs = ((d ^ (neg as i64).wrapping_neg()) + neg as i64) as u64;
    // SAFETY: the caller guarantees AVX2; the stores write the 96 bytes of
    // the state from word YPX on (YPX, YMX and XY2D are consecutive, below
    // WORDS).
    unsafe {
        let acc = scan_avx2(row, abs);
        // Digit 0: y + x = y - x = 1 in the low word.
        let zero = _mm256_cmpeq_epi64(_mm256_set1_epi64x(abs as i64), _mm256_setzero_si256());
        let low_one = _mm256_and_si256(zero, _mm256_set_epi64x(0, 0, 0, 1));
        let (ypx, ymx) = (_mm256_or_si256(acc[0], low_one), _mm256_or_si256(acc[1], low_one));
        let negv = _mm256_set1_epi64x(-(neg as i64));
        let first = _mm256_blendv_epi8(ypx, ymx, negv);
        let second = _mm256_blendv_epi8(ymx, ypx, negv);
        let out = s.as_mut_ptr().add(edwards::YPX);
        _mm256_storeu_si256(out.cast(), first);
        _mm256_storeu_si256(out.add(4).cast(), second);
        _mm256_storeu_si256(out.add(8).cast(), acc[2]);
    }
    s[edwards::NEG] = neg;
}

impl Drop for EdwardsState {
    fn drop(&mut self) {
        ct::wipe_words(&mut self.0);
    }
}

/// [`Field::select_entry`] on 256-bit vectors (see [`scan_avx2`]).
#[target_feature(enable = "avx2")]
unsafe fn select_entry_avx2<const N: usize>(row: &[[u64; 12]; N], abs: u64) -> [u64; 12] {
    let mut out = [0u64; 12];
    // SAFETY: the caller guarantees AVX2; the stores write 32 bytes at
    // offsets 0, 32 and 64 of the 96-byte `out`, unaligned forms.
    unsafe {
        let acc = scan_avx2(row, abs);
        for (q, a) in acc.iter().enumerate() {
            _mm256_storeu_si256(out.as_mut_ptr().add(4 * q).cast(), *a);
        }
    }
    out
}

/// The entry `abs - 1` of `row` (all zeros for 0) as three vectors: each
/// entry is three loads, ANDed with the mask of a vector compare of its
/// index with `abs` and ORed in. Every entry is read; no scalar mask, no
/// branch.
///
/// # Safety
///
/// The CPU must have AVX2; inlined only, into callers compiled for it.
#[inline(always)]
unsafe fn scan_avx2<const N: usize>(row: &[[u64; 12]; N], abs: u64) -> [__m256i; 3] {
    // SAFETY: the caller guarantees AVX2; each load reads 32 bytes at
    // offset 0, 32 or 64 of a 96-byte entry, an unaligned load.
    unsafe {
        let mut acc = [_mm256_setzero_si256(); 3];
        let want = _mm256_set1_epi64x(abs as i64);
        let one = _mm256_set1_epi64x(1);
        let mut index = _mm256_setzero_si256();
        for entry in row {
            index = _mm256_add_epi64(index, one);
            let mask = _mm256_cmpeq_epi64(index, want);
            for (q, a) in acc.iter_mut().enumerate() {
                let v = _mm256_loadu_si256(entry.as_ptr().add(4 * q).cast());
                *a = _mm256_or_si256(*a, _mm256_and_si256(v, mask));
            }
        }
        acc
    }
}

impl Field for MulxAdx {
    type Fe = Fe;

    #[inline(always)]
    fn opaque(self, mut x: u64) -> u64 {
        // SAFETY: an empty instruction sequence; it only tells the compiler
        // that `x` may have changed, in a register (cheaper than the memory
        // round trip of `black_box`).
        unsafe { asm!("/* {x} */", x = inout(reg) x, options(pure, nomem, nostack, preserves_flags)) };
        x
    }

    /// 1/z by the fixed exponentiation chain (`chain.rs`).
    #[inline(always)]
    fn invert(self, z: &Fe) -> Fe {
        // SAFETY: the token proves the CPU has BMI2 and ADX, all `invert`
        // needs.
        unsafe { chain::invert(z) }
    }

    #[inline(always)]
    fn select_entry<const N: usize>(self, row: &[[u64; 12]; N], abs: u64) -> [u64; 12] {
        if self.avx2 {
            // SAFETY: `avx2` is set only when detection found AVX2.
            unsafe { select_entry_avx2(row, abs) }
        } else {
            super::field::select_entry(row, abs)
        }
    }

    #[inline(always)]
    fn zero(self) -> Fe {
        [0; 4]
    }

    #[inline(always)]
    fn one(self) -> Fe {
        [1, 0, 0, 0]
    }

    #[inline(always)]
    fn load(self, w: &[u64; 4]) -> Fe {
        [w[0], w[1], w[2], w[3] & (u64::MAX >> 1)]
    }

    fn store(self, a: &Fe) -> [u64; 4] {
        // Fold bit 255 (2^255 = 19): t < 2^255 + 19 < 2p.
        let top = a[3] >> 63;
        let mut t = [a[0], a[1], a[2], a[3] & (u64::MAX >> 1)];
        let mut c = u128::from(top * 19);
        for x in &mut t {
            c += u128::from(*x);
            *x = c as u64;
            c >>= 64;
        }
        // t >= p exactly when t + 19 reaches 2^255; then t - p = t + 19 - 2^255.
        let mut s = t;
        let mut c = 19u128;
        for x in &mut s {
            c += u128::from(*x);
            *x = c as u64;
            c >>= 64;
        }
        let ge = self.opaque(s[3] >> 63).wrapping_neg();
        s[3] &= u64::MAX >> 1;
        core::array::from_fn(|i| crate::ct::select_u64(ge, s[i], t[i]))
    }

    #[inline(always)]
    fn add(self, a: &Fe, b: &Fe) -> Fe {
        let (r0, r1, r2, r3): (u64, u64, u64, u64);
        // SAFETY: reads 32 bytes at each of `a` and `b`, which are `[u64; 4]`;
        // plain integer instructions only; no stack use.
        unsafe {
            asm!(
                "mov {r0}, qword ptr [{a}]",
                "add {r0}, qword ptr [{b}]",
                "mov {r1}, qword ptr [{a} + 8]",
                "adc {r1}, qword ptr [{b} + 8]",
                "mov {r2}, qword ptr [{a} + 16]",
                "adc {r2}, qword ptr [{b} + 16]",
                "mov {r3}, qword ptr [{a} + 24]",
                "adc {r3}, qword ptr [{b} + 24]",
                // A carry out is 2^256 = 38; adding it can carry once more,
                // and then the low limb is tiny, so the second 38 fits.
                "sbb {t}, {t}",
                "and {t}, 38",
                "add {r0}, {t}",
                "adc {r1}, 0",
                "adc {r2}, 0",
                "adc {r3}, 0",
                "sbb {t}, {t}",
                "and {t}, 38",
                "add {r0}, {t}",
                a = in(reg) a.as_ptr(),
                b = in(reg) b.as_ptr(),
                r0 = out(reg) r0,
                r1 = out(reg) r1,
                r2 = out(reg) r2,
                r3 = out(reg) r3,
                t = out(reg) _,
                options(pure, readonly, nostack),
            );
        }
        [r0, r1, r2, r3]
    }

    #[inline(always)]
    fn sub(self, a: &Fe, b: &Fe) -> Fe {
        let (r0, r1, r2, r3): (u64, u64, u64, u64);
        // SAFETY: reads 32 bytes at each of `a` and `b`, which are `[u64; 4]`;
        // plain integer instructions only; no stack use.
        unsafe {
            asm!(
                "mov {r0}, qword ptr [{a}]",
                "sub {r0}, qword ptr [{b}]",
                "mov {r1}, qword ptr [{a} + 8]",
                "sbb {r1}, qword ptr [{b} + 8]",
                "mov {r2}, qword ptr [{a} + 16]",
                "sbb {r2}, qword ptr [{b} + 16]",
                "mov {r3}, qword ptr [{a} + 24]",
                "sbb {r3}, qword ptr [{b} + 24]",
                // A borrow added 2^256 = 38: take 38 off; a second borrow
                // leaves the low limb near 2^64, so the second 38 fits.
                "sbb {t}, {t}",
                "and {t}, 38",
                "sub {r0}, {t}",
                "sbb {r1}, 0",
                "sbb {r2}, 0",
                "sbb {r3}, 0",
                "sbb {t}, {t}",
                "and {t}, 38",
                "sub {r0}, {t}",
                a = in(reg) a.as_ptr(),
                b = in(reg) b.as_ptr(),
                r0 = out(reg) r0,
                r1 = out(reg) r1,
                r2 = out(reg) r2,
                r3 = out(reg) r3,
                t = out(reg) _,
                options(pure, readonly, nostack),
            );
        }
        [r0, r1, r2, r3]
    }

    #[inline(always)]
    fn mul(self, a: &Fe, b: &Fe) -> Fe {
        let (r0, r1, r2, r3): (u64, u64, u64, u64);
        // SAFETY: the `MulxAdx` token exists only when the CPU has BMI2
        // (MULX) and ADX (ADCX/ADOX). Reads 32 bytes at each of `a` and `b`,
        // which are `[u64; 4]`; no stack use.
        unsafe {
            asm!(
                // Row 0: z = a * b0, one ADD/ADC chain.
                "mov rdx, qword ptr [{b}]",
                "mulx {z1}, {z0}, qword ptr [{a}]",
                "mulx {z2}, {lo}, qword ptr [{a} + 8]",
                "add {z1}, {lo}",
                "mulx {z3}, {lo}, qword ptr [{a} + 16]",
                "adc {z2}, {lo}",
                "mulx {z4}, {lo}, qword ptr [{a} + 24]",
                "adc {z3}, {lo}",
                "adc {z4}, 0",
                // Rows 1-3: low halves on the CF chain (ADCX), high halves on
                // the OF chain (ADOX); XOR clears both flags first.
                "mov rdx, qword ptr [{b} + 8]",
                "xor {z5:e}, {z5:e}",
                "mulx {hi}, {lo}, qword ptr [{a}]",
                "adcx {z1}, {lo}",
                "adox {z2}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 8]",
                "adcx {z2}, {lo}",
                "adox {z3}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 16]",
                "adcx {z3}, {lo}",
                "adox {z4}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 24]",
                "adcx {z4}, {lo}",
                "adox {z5}, {hi}",
                "adc {z5}, 0",
                "mov rdx, qword ptr [{b} + 16]",
                "xor {z6:e}, {z6:e}",
                "mulx {hi}, {lo}, qword ptr [{a}]",
                "adcx {z2}, {lo}",
                "adox {z3}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 8]",
                "adcx {z3}, {lo}",
                "adox {z4}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 16]",
                "adcx {z4}, {lo}",
                "adox {z5}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 24]",
                "adcx {z5}, {lo}",
                "adox {z6}, {hi}",
                "adc {z6}, 0",
                // Row 3: `b` is read for the last time, then holds z7.
                "mov rdx, qword ptr [{b} + 24]",
                "xor {b:e}, {b:e}",
                "mulx {hi}, {lo}, qword ptr [{a}]",
                "adcx {z3}, {lo}",
                "adox {z4}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 8]",
                "adcx {z4}, {lo}",
                "adox {z5}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 16]",
                "adcx {z5}, {lo}",
                "adox {z6}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 24]",
                "adcx {z6}, {lo}",
                "adox {b}, {hi}",
                "adc {b}, 0",
                reduce_512!("b"),
                a = inout(reg) a.as_ptr() => _,
                b = inout(reg) b.as_ptr() => _,
                z0 = out(reg) r0,
                z1 = out(reg) r1,
                z2 = out(reg) r2,
                z3 = out(reg) r3,
                z4 = out(reg) _,
                z5 = out(reg) _,
                z6 = out(reg) _,
                lo = out(reg) _,
                hi = out(reg) _,
                out("rdx") _,
                options(pure, readonly, nostack),
            );
        }
        [r0, r1, r2, r3]
    }

    #[inline(always)]
    fn sqr(self, a: &Fe) -> Fe {
        let (r0, r1, r2, r3): (u64, u64, u64, u64);
        // SAFETY: the `MulxAdx` token exists only when the CPU has BMI2
        // (MULX) and ADX (ADCX/ADOX). Reads 32 bytes at `a`, a `[u64; 4]`;
        // no stack use.
        unsafe {
            asm!(
                // The six cross products a_i a_j (i < j) into z1..z6.
                "mov rdx, qword ptr [{a}]",
                "mulx {z2}, {z1}, qword ptr [{a} + 8]",
                "mulx {z3}, {lo}, qword ptr [{a} + 16]",
                "add {z2}, {lo}",
                "mulx {z4}, {lo}, qword ptr [{a} + 24]",
                "adc {z3}, {lo}",
                "adc {z4}, 0",
                "mov rdx, qword ptr [{a} + 8]",
                "xor {z5:e}, {z5:e}",
                "mulx {hi}, {lo}, qword ptr [{a} + 16]",
                "adcx {z3}, {lo}",
                "adox {z4}, {hi}",
                "mulx {hi}, {lo}, qword ptr [{a} + 24]",
                "adcx {z4}, {lo}",
                "adox {z5}, {hi}",
                "adc {z5}, 0",
                "mov rdx, qword ptr [{a} + 16]",
                "mulx {z6}, {lo}, qword ptr [{a} + 24]",
                "add {z5}, {lo}",
                "adc {z6}, 0",
                // Double them (z7 takes the bit shifted out) ...
                "xor {z7:e}, {z7:e}",
                "add {z1}, {z1}",
                "adc {z2}, {z2}",
                "adc {z3}, {z3}",
                "adc {z4}, {z4}",
                "adc {z5}, {z5}",
                "adc {z6}, {z6}",
                "adc {z7}, {z7}",
                // ... and add the squares a_i^2 on the diagonal, one chain
                // (MULX and MOV leave the flags alone).
                "mov rdx, qword ptr [{a}]",
                "mulx {hi}, {z0}, rdx",
                "add {z1}, {hi}",
                "mov rdx, qword ptr [{a} + 8]",
                "mulx {hi}, {lo}, rdx",
                "adc {z2}, {lo}",
                "adc {z3}, {hi}",
                "mov rdx, qword ptr [{a} + 16]",
                "mulx {hi}, {lo}, rdx",
                "adc {z4}, {lo}",
                "adc {z5}, {hi}",
                "mov rdx, qword ptr [{a} + 24]",
                "mulx {hi}, {lo}, rdx",
                "adc {z6}, {lo}",
                "adc {z7}, {hi}",
                reduce_512!("z7"),
                a = inout(reg) a.as_ptr() => _,
                z0 = out(reg) r0,
                z1 = out(reg) r1,
                z2 = out(reg) r2,
                z3 = out(reg) r3,
                z4 = out(reg) _,
                z5 = out(reg) _,
                z6 = out(reg) _,
                z7 = out(reg) _,
                lo = out(reg) _,
                hi = out(reg) _,
                out("rdx") _,
                options(pure, readonly, nostack),
            );
        }
        [r0, r1, r2, r3]
    }

    #[inline(always)]
    fn mul_a24(self, a: &Fe) -> Fe {
        let (r0, r1, r2, r3): (u64, u64, u64, u64);
        // SAFETY: the `MulxAdx` token exists only when the CPU has BMI2
        // (MULX). Reads 32 bytes at `a`, a `[u64; 4]`; no stack use.
        unsafe {
            asm!(
                "mov edx, 121665",
                "mulx {t1}, {r0}, qword ptr [{a}]",
                "mulx {t2}, {r1}, qword ptr [{a} + 8]",
                "add {r1}, {t1}",
                "mulx {t1}, {r2}, qword ptr [{a} + 16]",
                "adc {r2}, {t2}",
                "mulx {t2}, {r3}, qword ptr [{a} + 24]",
                "adc {r3}, {t1}",
                "adc {t2}, 0",
                "imul {t2}, {t2}, 38",
                "add {r0}, {t2}",
                "adc {r1}, 0",
                "adc {r2}, 0",
                "adc {r3}, 0",
                "sbb {t2}, {t2}",
                "and {t2}, 38",
                "add {r0}, {t2}",
                a = in(reg) a.as_ptr(),
                r0 = out(reg) r0,
                r1 = out(reg) r1,
                r2 = out(reg) r2,
                r3 = out(reg) r3,
                t1 = out(reg) _,
                t2 = out(reg) _,
                out("rdx") _,
                options(pure, readonly, nostack),
            );
        }
        [r0, r1, r2, r3]
    }
}

/// The four words at `at`.
#[inline(always)]
fn slot(s: &[u64], at: usize) -> Fe {
    core::array::from_fn(|i| s[at + i])
}

#[cfg(test)]
mod tests {
    use super::super::soft;
    use super::*;

    /// Any 256-bit value as a portable element (2^255 = 19).
    fn to_soft(w: &[u64; 4]) -> soft::Fe {
        soft::add(&soft::from_words(w), &[19 * (w[3] >> 63), 0, 0, 0, 0])
    }

    /// Values at the edges of every reduction step, and some pseudo-random ones.
    fn samples() -> Vec<[u64; 4]> {
        let m = u64::MAX;
        let p = [m - 18, m, m, m >> 1];
        let mut v = vec![
            [0; 4],
            [1, 0, 0, 0],
            [38, 0, 0, 0],
            [m, 0, 0, 0],
            [m; 4],
            [m - 37, m, m, m],
            p,
            [m - 19, m, m, m >> 1],
            [m - 17, m, m, m >> 1],
            [m, m, m, m >> 1],
            [0, 0, 0, 1 << 63],
            [18, 0, 0, 1 << 63],
            [19, 0, 0, 1 << 63],
            [m - 18, m, m, m],
            [0, m, 0, m],
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..24 {
            v.push(core::array::from_fn(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            }));
        }
        v
    }

    #[test]
    fn agrees_with_portable_on_edge_values() {
        let Some(f) = MulxAdx::new() else { return };
        let s = samples();
        for a in &s {
            let sa = to_soft(a);
            assert_eq!(f.store(a), soft::to_words(&sa), "to_words {a:x?}");
            assert_eq!(f.store(&f.sqr(a)), soft::to_words(&soft::sqr(&sa)), "sqr {a:x?}");
            assert_eq!(f.store(&f.mul_a24(a)), soft::to_words(&soft::mul_a24(&sa)), "a24 {a:x?}");
            for b in &s {
                let sb = to_soft(b);
                let what = format!("{a:x?} {b:x?}");
                assert_eq!(f.store(&f.mul(a, b)), soft::to_words(&soft::mul(&sa, &sb)), "mul {what}");
                assert_eq!(f.store(&f.add(a, b)), soft::to_words(&soft::add(&sa, &sb)), "add {what}");
                assert_eq!(f.store(&f.sub(a, b)), soft::to_words(&soft::sub(&sa, &sb)), "sub {what}");
            }
        }
    }

    #[test]
    fn chain_inversion_agrees_with_portable() {
        let Some(f) = MulxAdx::new() else { return };
        for a in &samples() {
            let want = soft::to_words(&soft::invert(&to_soft(a)));
            assert_eq!(f.store(&f.invert(a)), want, "invert {a:x?}");
        }
    }
}

#[cfg(test)]
mod ladder_tests {
    use super::super::soft;
    use super::*;

    const M: u64 = u64::MAX;
    const P: [u64; 4] = [M - 18, M, M, M >> 1];

    /// `w`, `w` with bit 255 set, and `w + p` when it stays below 2^255
    /// (bit 255 is ignored): encodings of one point.
    fn encodings(w: &[u64; 4]) -> [[u8; 32]; 3] {
        let mut hi = bytes_from_words(w);
        hi[31] |= 0x80;
        let mut c = 0u128;
        let sum: [u64; 4] = core::array::from_fn(|i| {
            c += u128::from(w[i]) + u128::from(P[i]);
            let x = c as u64;
            c >>= 64;
            x
        });
        let fits = c == 0 && sum[3] >> 63 == 0;
        [bytes_from_words(w), hi, bytes_from_words(if fits { &sum } else { w })]
    }

    /// The u of the points of small order: 0, 1, the two of order 8 (as in
    /// libsodium's and Wycheproof's lists), p - 1, and p, p + 1 (0 and 1
    /// non-canonical).
    fn low_order_words() -> Vec<[u64; 4]> {
        let mut v = vec![[0; 4], [1, 0, 0, 0], [M - 19, M, M, M >> 1], P, [M - 17, M, M, M >> 1]];
        for hex in [
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        ] {
            let b: [u8; 32] =
                core::array::from_fn(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap());
            v.push(words_from_bytes(&b));
        }
        v
    }

    /// Other edges: 9, values near 2^255 and 2^256, limbs all ones.
    fn edge_words() -> Vec<[u64; 4]> {
        vec![[9, 0, 0, 0], [M, M, M, M >> 1], [M; 4], [0, 0, 0, 1 << 63], [M - 18, M, M, M], [M, 0, M, 0]]
    }

    #[test]
    fn asm_ladder_agrees_with_portable() {
        let Some(f) = MulxAdx::new() else {
            println!("no BMI2 + ADX here: nothing to compare");
            return;
        };
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut scalars = vec![[0u8; 32], [0xff; 32]];
        for _ in 0..6 {
            scalars.push(bytes_from_words(&core::array::from_fn(|_| next())));
        }
        let low: Vec<[u8; 32]> = low_order_words().iter().flat_map(encodings).collect();
        let mut us: Vec<[u8; 32]> = edge_words().iter().flat_map(encodings).collect();
        for _ in 0..40 {
            us.extend(encodings(&core::array::from_fn(|_| next())));
        }
        for k in &scalars {
            let k = curve::clamp(k);
            for u in &low {
                assert_eq!(f.ladder(&k, u), [0; 32], "low order k {k:x?} u {u:x?}");
            }
            for u in low.iter().chain(&us) {
                let want = curve::ladder(soft::Soft, &k, u);
                assert_eq!(f.ladder(&k, u), want, "k {k:x?} u {u:x?}");
                assert_eq!(curve::ladder(f, &k, u), want, "generic k {k:x?} u {u:x?}");
            }
        }
    }
}

#[cfg(test)]
mod fixed_base_tests {
    use super::super::soft;
    use super::*;

    /// The assembly fixed-base path against the portable one and against
    /// the generic curve code on this field, on scalars whose signed digits
    /// sit at the edges (0, +-16, long runs of one value) and on single bits.
    #[test]
    fn asm_fixed_base_agrees_with_portable() {
        let Some(f) = MulxAdx::new() else {
            println!("no BMI2 + ADX here: nothing to compare");
            return;
        };
        let mut scalars: Vec<[u8; 32]> = [0x00u8, 0xff, 0x55, 0xaa, 0x08, 0x10, 0x84, 0x42, 0x21, 0xf0, 0x0f]
            .iter()
            .map(|&b| [b; 32])
            .collect();
        for i in 0..256 {
            let mut k = [0u8; 32];
            k[i / 8] = 1 << (i % 8);
            scalars.push(k);
            // 2^i - 1: a run of ones, digits -1 with carries all the way.
            let mut k = [0u8; 32];
            for j in 0..i {
                k[j / 8] |= 1 << (j % 8);
            }
            scalars.push(k);
        }
        for k in &scalars {
            let k = curve::clamp(k);
            let want = curve::base_mul(soft::Soft, &k);
            assert_eq!(f.base_mul(&k), want, "{k:x?}");
            assert_eq!(curve::base_mul(f, &k), want, "generic {k:x?}");
        }
    }
}

#[cfg(test)]
mod tests_without_avx2 {
    use super::*;
    use crate::cpu::Backend;

    /// The MULX/ADX backend on a CPU without AVX2 (some VMs hide AVX but
    /// expose BMI2 and ADX) takes the scalar table scan: check it against the
    /// AVX2 scan and the portable backend.
    #[test]
    fn fixed_base_without_avx2() {
        let Some(detected) = MulxAdx::new() else {
            println!("no BMI2 + ADX here: nothing to compare");
            return;
        };
        let scalar_scan = MulxAdx { avx2: false };
        let mut k = [0u8; 32];
        for i in 0..200u32 {
            for (j, b) in k.iter_mut().enumerate() {
                *b = (i.wrapping_mul(2654435761).rotate_left(j as u32) >> 7) as u8;
            }
            let want = super::super::x25519_base_with(Backend::Portable, &k).unwrap();
            // `base_mul` takes the clamped scalar, as the engine passes it.
            let clamped = curve::clamp(&k);
            assert_eq!(scalar_scan.base_mul(&clamped), want, "scalar {i}");
            assert_eq!(detected.base_mul(&clamped), want, "scalar {i}");
        }
    }
}
