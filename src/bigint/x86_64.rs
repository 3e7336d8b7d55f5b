//! Montgomery multiplication with the x86_64 BMI2 and ADX instructions: MULX
//! leaves the flags alone, and ADCX / ADOX run two independent carry chains
//! (CF and OF), so the low and high halves of each row of products are added
//! in one pass (Intel, "New Instructions Supporting Large Integer Arithmetic
//! on Intel Architecture Processors", 2012).
//!
//! Operand scanning keeps a 2 len + 2 word accumulator and adds, for each word
//! b_i of b, first a b_i and then m n (m = t_i (-n^-1) mod 2^64) at offset i,
//! so the low word of the window vanishes and no shifting is needed. Constant
//! time: the loop counts depend only on the length.

use core::arch::asm;

use super::MAX_LIMBS;
use crate::cpu;

/// Proof that this CPU has BMI2 and ADX: only [`MulxAdx::new`] makes one,
/// after detection said yes.
#[derive(Clone, Copy, Debug)]
pub(super) struct MulxAdx(());

impl MulxAdx {
    pub(super) fn new() -> Option<Self> {
        let f = cpu::features();
        (f.bmi2 && f.adx).then_some(MulxAdx(()))
    }

    /// `r = a b / 2^(64 len) mod n`, with the contract of `soft::mont_mul`.
    #[inline]
    pub(super) fn mont_mul(self, r: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
        // The accumulator's size is a public function of the length.
        match n.len() {
            0..=16 => self.mont_mul_sized::<34>(r, a, b, n, n0),
            17..=32 => self.mont_mul_sized::<66>(r, a, b, n, n0),
            33..=64 => self.mont_mul_sized::<130>(r, a, b, n, n0),
            _ => self.mont_mul_sized::<{ 2 * MAX_LIMBS + 2 }>(r, a, b, n, n0),
        }
    }

    /// `r = a^2 / 2^(64 len) mod n` for `a < n`.
    #[inline]
    pub(super) fn mont_sqr(self, r: &mut [u64], a: &[u64], n: &[u64], n0: u64) {
        match n.len() {
            0..=16 => self.mont_sqr_sized::<34>(r, a, n, n0),
            17..=32 => self.mont_sqr_sized::<66>(r, a, n, n0),
            33..=64 => self.mont_sqr_sized::<130>(r, a, n, n0),
            _ => self.mont_sqr_sized::<{ 2 * MAX_LIMBS + 2 }>(r, a, n, n0),
        }
    }

    #[inline(always)]
    fn mont_sqr_sized<const T: usize>(self, r: &mut [u64], a: &[u64], n: &[u64], n0: u64) {
        let len = n.len();
        assert!(len >= 1 && 2 * len + 2 <= T && a.len() == len && r.len() == len);
        let mut t = [0u64; T];
        // SAFETY: a `MulxAdx` exists only when the CPU has BMI2 and ADX; the
        // lengths were checked just above.
        unsafe { mont_sqr_rows_mulx(&mut t, a, n, n0) };
        super::soft::final_sub(r, &t[len..2 * len], t[2 * len], n);
    }

    #[inline(always)]
    fn mont_mul_sized<const T: usize>(self, r: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
        let len = n.len();
        assert!(len >= 1 && 2 * len + 2 <= T && a.len() == len && b.len() == len && r.len() == len);
        let mut t = [0u64; T];
        // SAFETY: a `MulxAdx` exists only when the CPU has BMI2 and ADX; the
        // lengths were checked just above (t holds 2 len + 2 words).
        unsafe { mont_rows_mulx(&mut t, a, b, n, n0) };
        super::soft::final_sub(r, &t[len..2 * len], t[2 * len], n);
    }
}

/// The row loop of the Montgomery product: for each b_i, `t[i..] += a b_i`,
/// then `t[i..] += m n` with `m = t[i] n0`. `t` is zeroed, of at least
/// `2 len + 2` words; `a`, `b`, `n` have `len >= 1` words.
#[target_feature(enable = "bmi2,adx")]
unsafe fn mont_rows_mulx(t: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
    let len = n.len();
    debug_assert!(t.len() >= 2 * len + 2 && a.len() == len && b.len() == len);
    for (i, &bi) in b.iter().enumerate() {
        let win = &mut t[i..i + len + 2];
        // SAFETY: `win` has len + 2 words and `a`, `n` have len words, as
        // `addmul_row` requires; the features are enabled on this function.
        // The accumulated value is bounded (see the module note), so no
        // carry leaves the window.
        unsafe {
            addmul_row(win, a, bi);
            let m = win[0].wrapping_mul(n0);
            addmul_row(win, n, m);
        }
    }
}

/// `t[0..len + 2] += x[0..len] * k` with `len = x.len() >= 1` and
/// `t.len() >= len + 2`: first `len % 4` single words, then four per turn.
#[target_feature(enable = "bmi2,adx")]
#[inline]
unsafe fn addmul_row(t: &mut [u64], x: &[u64], k: u64) -> u64 {
    debug_assert!(!x.is_empty() && t.len() >= x.len() + 2);
    let carry: u64;
    let ones = x.len() % 4;
    let fours = x.len() - ones;
    // SAFETY: the loops read x[0..len] and read and write t[0..len + 2]
    // (lengths guaranteed by the caller): `ones` single steps, then `fours`
    // words four at a time, each counted down to exactly zero in rcx. Only
    // flags-neutral MOV, LEA and JRCXZ steer the loops, so the CF and OF
    // chains survive them.
    unsafe {
        asm!(
            "xor {zero:e}, {zero:e}",
            "mov {cur}, [{t}]",
            "jrcxz 4f",
            "2:",
            "mulx {hi}, {lo}, [{x}]",
            "adox {cur}, {lo}",
            "mov [{t}], {cur}",
            "mov {cur}, [{t} + 8]",
            "adcx {cur}, {hi}",
            "lea {x}, [{x} + 8]",
            "lea {t}, [{t} + 8]",
            "lea rcx, [rcx - 1]",
            "jrcxz 4f",
            "jmp 2b",
            "4:",
            "mov rcx, {fours}",
            "jrcxz 3f",
            "5:",
            "mulx {hi}, {lo}, [{x}]",
            "adox {cur}, {lo}",
            "mov [{t}], {cur}",
            "mov {cur}, [{t} + 8]",
            "adcx {cur}, {hi}",
            "mulx {hi}, {lo}, [{x} + 8]",
            "adox {cur}, {lo}",
            "mov [{t} + 8], {cur}",
            "mov {cur}, [{t} + 16]",
            "adcx {cur}, {hi}",
            "mulx {hi}, {lo}, [{x} + 16]",
            "adox {cur}, {lo}",
            "mov [{t} + 16], {cur}",
            "mov {cur}, [{t} + 24]",
            "adcx {cur}, {hi}",
            "mulx {hi}, {lo}, [{x} + 24]",
            "adox {cur}, {lo}",
            "mov [{t} + 24], {cur}",
            "mov {cur}, [{t} + 32]",
            "adcx {cur}, {hi}",
            "lea {x}, [{x} + 32]",
            "lea {t}, [{t} + 32]",
            "lea rcx, [rcx - 4]",
            "jrcxz 3f",
            "jmp 5b",
            "3:",
            // Word len: the pending OF carry. Word len + 1: both carries.
            "adox {cur}, {zero}",
            "mov [{t}], {cur}",
            "mov {cur}, [{t} + 8]",
            "adcx {cur}, {zero}",
            "adox {cur}, {zero}",
            "mov [{t} + 8], {cur}",
            // The carry out of word len + 1 (from either chain).
            "setc {zero:l}",
            "seto {lo:l}",
            "movzx {zero:e}, {zero:l}",
            "movzx {lo:e}, {lo:l}",
            "add {zero}, {lo}",
            t = inout(reg) t.as_mut_ptr() => _,
            x = inout(reg) x.as_ptr() => _,
            inout("rcx") ones => _,
            fours = in(reg) fours,
            in("rdx") k,
            zero = out(reg) carry,
            cur = out(reg) _,
            lo = out(reg) _,
            hi = out(reg) _,
            options(nostack),
        );
    }
    carry
}

/// The Montgomery square of `a` into the zeroed `t` (at least `2 len + 2`
/// words): the cross products once, doubled, plus the squares of the words,
/// then `len` reduction rows. The result is `t[len..2 len]` with the high
/// word `t[2 len]`, below `2n`.
#[target_feature(enable = "bmi2,adx")]
unsafe fn mont_sqr_rows_mulx(t: &mut [u64], a: &[u64], n: &[u64], n0: u64) {
    let len = n.len();
    debug_assert!(t.len() >= 2 * len + 2 && a.len() == len);
    // Cross products: their partial sums stay below 2^(64 (i + len + 2)),
    // so no carry leaves a row's window.
    for i in 0..len - 1 {
        let row = &a[i + 1..];
        // SAFETY: the window has row.len() + 2 words (it ends at i + len + 2
        // <= 2 len + 2); the features are enabled on this function.
        unsafe { addmul_row(&mut t[2 * i + 1..i + len + 2], row, a[i]) };
    }
    // Double the cross products and add the squares a_i^2 at word 2i.
    let mut top = 0u64;
    for w in t[..2 * len].iter_mut() {
        let v = *w;
        *w = (v << 1) | top;
        top = v >> 63;
    }
    let mut carry = 0u128;
    for (i, &ai) in a.iter().enumerate() {
        let sq = u128::from(ai) * u128::from(ai);
        let lo = u128::from(t[2 * i]) + (sq & u128::from(u64::MAX)) + carry;
        t[2 * i] = lo as u64;
        let hi = u128::from(t[2 * i + 1]) + (sq >> 64) + (lo >> 64);
        t[2 * i + 1] = hi as u64;
        carry = hi >> 64;
    }
    // Reduction rows. The square fills 2 len words from the start, so a
    // row's carry can run past its window. Each row's carry out (word
    // i + len + 2) is set aside and all are added in one pass at the end:
    // no later row's m depends on those words (they are at least len + 2).
    let mut deferred = [0u64; 2 * MAX_LIMBS + 2];
    for i in 0..len {
        let m = t[i].wrapping_mul(n0);
        // SAFETY: as above; the window t[i..i + len + 2] fits.
        deferred[i + len + 2] = unsafe { addmul_row(&mut t[i..i + len + 2], n, m) };
    }
    let mut c = 0u64;
    for (w, &d) in t[len..2 * len + 2].iter_mut().zip(&deferred[len..2 * len + 2]) {
        let v = u128::from(*w) + u128::from(d) + u128::from(c);
        *w = v as u64;
        c = (v >> 64) as u64;
    }
}
