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
        for (i, &bi) in b.iter().enumerate() {
            let win = &mut t[i..i + len + 2];
            self.addmul_row(win, a, bi);
            let m = win[0].wrapping_mul(n0);
            self.addmul_row(win, n, m);
        }
        super::soft::final_sub(r, &t[len..2 * len], t[2 * len], n);
    }

    /// `t += x k` where `t` has `x.len() + 2` words and the sum fits.
    #[inline]
    fn addmul_row(self, t: &mut [u64], x: &[u64], k: u64) {
        assert!(!x.is_empty() && t.len() == x.len() + 2);
        // SAFETY: a `MulxAdx` exists only when the CPU has BMI2 and ADX, and
        // the lengths were checked just above.
        unsafe { addmul_row_mulx(t, x, k) }
    }
}

/// `t[0..len + 2] += x[0..len] * k`, `len = x.len() >= 1`, `t.len() = len + 2`.
#[target_feature(enable = "bmi2,adx")]
unsafe fn addmul_row_mulx(t: &mut [u64], x: &[u64], k: u64) {
    // SAFETY: the loop reads x[0..len] and reads and writes t[0..len + 2]
    // (the caller checked both lengths); `len >= 1`, so the count in rcx
    // reaches zero after exactly len iterations. Only flags-neutral LEA and
    // JRCXZ steer the loop, so the CF and OF chains survive it.
    unsafe {
        asm!(
            // Clear CF and OF; `zero` stays 0.
            "xor {zero:e}, {zero:e}",
            "mov {cur}, [{t}]",
            "2:",
            "mulx {hi}, {lo}, [{x}]",
            // OF chain: the low half into word j.
            "adox {cur}, {lo}",
            "mov [{t}], {cur}",
            // CF chain: the high half into word j + 1.
            "mov {cur}, [{t} + 8]",
            "adcx {cur}, {hi}",
            "lea {x}, [{x} + 8]",
            "lea {t}, [{t} + 8]",
            "lea rcx, [rcx - 1]",
            "jrcxz 3f",
            "jmp 2b",
            "3:",
            // Word len: the pending OF carry. Word len + 1: both carries.
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
