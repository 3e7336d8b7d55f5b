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
        unsafe {
            addmul_row(win, a, bi);
            let m = win[0].wrapping_mul(n0);
            addmul_row(win, n, m);
        }
    }
}

/// `t[0..len + 2] += x[0..len] * k` with `len = x.len() >= 1` and
/// `t.len() >= len + 2`; four words per loop turn when `len % 4 == 0`.
#[target_feature(enable = "bmi2,adx")]
#[inline]
unsafe fn addmul_row(t: &mut [u64], x: &[u64], k: u64) {
    debug_assert!(!x.is_empty() && t.len() >= x.len() + 2);
    if x.len().is_multiple_of(4) {
        // SAFETY: the loop reads x[0..len] and reads and writes t[0..len + 2]
        // (lengths guaranteed by the caller); rcx counts len down by 4 to
        // exactly zero. Only flags-neutral LEA and JRCXZ steer the loop, so
        // the CF and OF chains survive it.
        unsafe {
            asm!(
                "xor {zero:e}, {zero:e}",
                "mov {cur}, [{t}]",
                "2:",
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
                "jmp 2b",
                "3:",
                "adox {cur}, {zero}",
                "mov [{t}], {cur}",
                "mov {cur}, [{t} + 8]",
                "adcx {cur}, {zero}",
                "adox {cur}, {zero}",
                "mov [{t} + 8], {cur}",
                t = inout(reg) t.as_mut_ptr() => _,
                x = inout(reg) x.as_ptr() => _,
                inout("rcx") x.len() => _,
                in("rdx") k,
                zero = out(reg) _,
                cur = out(reg) _,
                lo = out(reg) _,
                hi = out(reg) _,
                options(nostack),
            );
        }
    } else {
        // SAFETY: as above, one word per turn; rcx counts len down by 1.
        unsafe {
            asm!(
                "xor {zero:e}, {zero:e}",
                "mov {cur}, [{t}]",
                "2:",
                "mulx {hi}, {lo}, [{x}]",
                "adox {cur}, {lo}",
                "mov [{t}], {cur}",
                "mov {cur}, [{t} + 8]",
                "adcx {cur}, {hi}",
                "lea {x}, [{x} + 8]",
                "lea {t}, [{t} + 8]",
                "lea rcx, [rcx - 1]",
                "jrcxz 3f",
                "jmp 2b",
                "3:",
                "adox {cur}, {zero}",
                "mov [{t}], {cur}",
                "mov {cur}, [{t} + 8]",
                "adcx {cur}, {zero}",
                "adox {cur}, {zero}",
                "mov [{t} + 8], {cur}",
                t = inout(reg) t.as_mut_ptr() => _,
                x = inout(reg) x.as_ptr() => _,
                inout("rcx") x.len() => _,
                in("rdx") k,
                zero = out(reg) _,
                cur = out(reg) _,
                lo = out(reg) _,
                hi = out(reg) _,
                options(nostack),
            );
        }
    }
}
