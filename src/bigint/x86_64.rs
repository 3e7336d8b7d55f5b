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

mod sqr;

use core::arch::asm;
use core::arch::x86_64::{
    __m256i, _mm256_add_epi64, _mm256_and_si256, _mm256_cmpeq_epi64, _mm256_loadu_si256, _mm256_or_si256,
    _mm256_set1_epi64x, _mm256_setzero_si256, _mm256_storeu_si256,
};

use super::MAX_LIMBS;
use crate::cpu;

/// Proof that this CPU has BMI2 and ADX: only [`MulxAdx::new`] makes one,
/// after detection said yes. It also records whether AVX2 was detected (for
/// the table scan).
#[derive(Clone, Copy, Debug)]
pub(super) struct MulxAdx {
    avx2: bool,
}

impl MulxAdx {
    pub(super) fn new() -> Option<Self> {
        let f = cpu::features();
        (f.bmi2 && f.adx).then_some(MulxAdx { avx2: f.avx2 })
    }

    /// `out[..len] = table[idx len..(idx + 1) len]` for a table of `entries`
    /// entries of `len` words, reading every entry (constant time in `idx`).
    /// Returns false, having done nothing, when this path does not apply.
    #[inline]
    pub(super) fn select(self, table: &[u64], entries: usize, len: usize, idx: u64, out: &mut [u64]) -> bool {
        if !self.avx2 || !len.is_multiple_of(4) || table.len() < entries * len || out.len() < len {
            return false;
        }
        // SAFETY: `avx2` is set only when AVX2 was detected; the lengths were
        // checked just above.
        unsafe { select_avx2(table, entries, len, idx, out) };
        true
    }

    /// `r = a b / 2^(64 len) mod n`, with the contract of `soft::mont_mul`.
    #[inline]
    pub(super) fn mont_mul(self, r: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
        if let (Ok(r16), Ok(a16), Ok(b16), Ok(n16)) = (
            <&mut [u64; 16]>::try_from(&mut *r),
            <&[u64; 16]>::try_from(a),
            <&[u64; 16]>::try_from(b),
            <&[u64; 16]>::try_from(n),
        ) {
            // SAFETY: a `MulxAdx` exists only when the CPU has BMI2 and ADX;
            // the sizes are in the types.
            unsafe { sqr::mont_mul16(r16, a16, b16, n16, n0) };
            return;
        }
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
        // The sizes with straight-line squares (the primes of RSA-2048,
        // -3072 and -4096 keys, and the RSA-2048 modulus).
        macro_rules! fixed {
            ($($l:literal => $f:path),*) => {$(
                if let (Ok(r), Ok(a), Ok(n)) =
                    (<&mut [u64; $l]>::try_from(&mut *r), <&[u64; $l]>::try_from(a), <&[u64; $l]>::try_from(n))
                {
                    // SAFETY: a `MulxAdx` exists only when the CPU has BMI2
                    // and ADX; the sizes are in the types.
                    unsafe { $f(r, a, n, n0) };
                    return;
                }
            )*};
        }
        fixed!(16 => sqr::mont_sqr16, 24 => sqr::mont_sqr24, 32 => sqr::mont_sqr32);
        // For sizes the four-word product handles, it beats this separate
        // square-then-reduce kernel, whose rows keep the window in memory.
        if n.len().is_multiple_of(4) {
            return self.mont_mul(r, a, a, n, n0);
        }
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
        if len.is_multiple_of(4) {
            assert!(len < T && a.len() == len && b.len() == len && r.len() == len);
            let mut t = [0u64; T];
            // SAFETY: a `MulxAdx` exists only when the CPU has BMI2 and ADX;
            // len is a non-zero multiple of 4, t holds len + 1 zeroed words
            // and r has len words.
            unsafe { mont_mul4x(r, &mut t, a, b, n, n0) };
            return;
        }
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

/// The Montgomery product for `len` a non-zero multiple of 4, four words of
/// `a` and `n` per step (CIOS). For each word b_i: the step over words
/// j..j+3 forms `t[j..j+4] + a[j..j+4] b_i + ca` in four registers plus a
/// new carry word `ca` (the low halves on the CF chain with the words of t,
/// the high halves on the OF chain), then adds `n[j..j+4] m + cn` the same
/// way, and stores the four words one place down (the division by 2^64;
/// the first step's low word is zero by the choice of `m = t_0 n0`). Both
/// carry chains are closed at the end of every step, so the loop control in
/// between may touch the flags. At the end of a row, `t[len - 1]` becomes
/// `t[len] + ca + cn` and `t[len]` its carry. `t` has at least `len + 1`
/// zeroed words; the sum `t[..len]` with the high word `t[len]` is below
/// `2n`, and the last pass writes it to `r` less `n` when it is at least
/// `n`, chosen by mask. Constant time: the loop counts depend only on `len`.
#[target_feature(enable = "bmi2,adx")]
unsafe fn mont_mul4x(r: &mut [u64], t: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
    let len = n.len();
    debug_assert!(len >= 4 && len.is_multiple_of(4) && t.len() > len && a.len() == len && b.len() == len);
    debug_assert!(r.len() == len);
    // Kept on the stack by the block: [rsp] len in bytes, [rsp + 8] n0,
    // [rsp + 16] the next word of b, [rsp + 24] the end of b, [rsp + 32] r,
    // [rsp + 40] the steps after the first, [rsp + 48] b_i, [rsp + 56] m.
    // r8 holds zero (for closing the carry chains), r9 counts the steps.
    // SAFETY: reads a[0..len], b[0..len], n[0..len], reads and writes
    // t[0..len + 1] and writes r[0..len], all within the slices (lengths
    // checked by the caller). The block pushes eight words and pops them
    // before it ends; rbx and rbp are not touched.
    unsafe {
        asm!(
            "push rax",
            "push rax",
            "lea rax, [r9 - 4]",
            "shr rax, 2",
            "push rax",
            "push r11",
            "lea rax, [r8 + 8 * r9]",
            "push rax",
            "push r8",
            "push r10",
            "lea rax, [8 * r9]",
            "push rax",
            "xor r8d, r8d",
            "6:",
            // Next word of b.
            "mov rax, [rsp + 16]",
            "mov rdx, [rax]",
            "add rax, 8",
            "mov [rsp + 16], rax",
            "mov [rsp + 48], rdx",
            // First step: t[0..4] + a[0..4] b_i.
            "xor r14d, r14d",
            "mulx rax, r10, [rsi]",
            "adcx r10, [rcx]",
            "mulx r14, r11, [rsi + 8]",
            "adox r11, rax",
            "adcx r11, [rcx + 8]",
            "mulx rax, r12, [rsi + 16]",
            "adox r12, r14",
            "adcx r12, [rcx + 16]",
            "mulx r14, r13, [rsi + 24]",
            "adox r13, rax",
            "adcx r13, [rcx + 24]",
            "adox r14, r8",
            "adcx r14, r8",
            // m = t_0 n0, then + n[0..4] m.
            "mov rdx, r10",
            "imul rdx, [rsp + 8]",
            "mov [rsp + 56], rdx",
            "xor r15d, r15d",
            "mulx r15, rax, [rdi]",
            "adcx r10, rax",
            "adox r11, r15",
            "mulx r15, rax, [rdi + 8]",
            "adcx r11, rax",
            "adox r12, r15",
            "mulx r15, rax, [rdi + 16]",
            "adcx r12, rax",
            "adox r13, r15",
            "mulx r15, rax, [rdi + 24]",
            "adcx r13, rax",
            "adox r15, r8",
            "adcx r15, r8",
            "mov [rcx], r11",
            "mov [rcx + 8], r12",
            "mov [rcx + 16], r13",
            "lea rsi, [rsi + 32]",
            "lea rdi, [rdi + 32]",
            "lea rcx, [rcx + 32]",
            "mov r9, [rsp + 40]",
            "test r9, r9",
            "jz 8f",
            // The other steps. Both flags are clear here: the chains closed
            // without a carry out, and LEA and DEC (on a small count) leave
            // CF and OF at zero.
            "7:",
            "mov rdx, [rsp + 48]",
            "mulx rax, r10, [rsi]",
            "adox r10, r14",
            "adcx r10, [rcx]",
            "mulx r14, r11, [rsi + 8]",
            "adox r11, rax",
            "adcx r11, [rcx + 8]",
            "mulx rax, r12, [rsi + 16]",
            "adox r12, r14",
            "adcx r12, [rcx + 16]",
            "mulx r14, r13, [rsi + 24]",
            "adox r13, rax",
            "adcx r13, [rcx + 24]",
            "adox r14, r8",
            "adcx r14, r8",
            "mov rdx, [rsp + 56]",
            "adox r10, r15",
            "mulx r15, rax, [rdi]",
            "adcx r10, rax",
            "adox r11, r15",
            "mulx r15, rax, [rdi + 8]",
            "adcx r11, rax",
            "adox r12, r15",
            "mulx r15, rax, [rdi + 16]",
            "adcx r12, rax",
            "adox r13, r15",
            "mulx r15, rax, [rdi + 24]",
            "adcx r13, rax",
            "adox r15, r8",
            "adcx r15, r8",
            "mov [rcx - 8], r10",
            "mov [rcx], r11",
            "mov [rcx + 8], r12",
            "mov [rcx + 16], r13",
            "lea rsi, [rsi + 32]",
            "lea rdi, [rdi + 32]",
            "lea rcx, [rcx + 32]",
            "dec r9",
            "jnz 7b",
            "8:",
            // End of the row: t[len - 1] = t[len] + ca + cn, t[len] = carry.
            "xor eax, eax",
            "add r14, r15",
            "adc rax, r8",
            "add r14, [rcx]",
            "adc rax, r8",
            "mov [rcx - 8], r14",
            "mov [rcx], rax",
            "mov rax, [rsp]",
            "sub rsi, rax",
            "sub rdi, rax",
            "sub rcx, rax",
            "mov rax, [rsp + 16]",
            "cmp rax, [rsp + 24]",
            "jne 6b",
            // r = t - n, four words per step, with the borrow on CF (DEC and
            // LEA leave it alone).
            "mov r8, [rsp + 32]",
            "mov r9, [rsp]",
            "shr r9, 5",
            "xor eax, eax",
            "9:",
            "mov r10, [rcx]",
            "mov r11, [rcx + 8]",
            "mov r12, [rcx + 16]",
            "mov r13, [rcx + 24]",
            "sbb r10, [rdi]",
            "sbb r11, [rdi + 8]",
            "sbb r12, [rdi + 16]",
            "sbb r13, [rdi + 24]",
            "mov [r8], r10",
            "mov [r8 + 8], r11",
            "mov [r8 + 16], r12",
            "mov [r8 + 24], r13",
            "lea rcx, [rcx + 32]",
            "lea rdi, [rdi + 32]",
            "lea r8, [r8 + 32]",
            "dec r9",
            "jnz 9b",
            // Keep t (mask all ones) when the subtraction borrowed and the
            // high word is zero: r ^= (t ^ r) & mask.
            "sbb rax, rax",
            "mov r10, [rcx]",
            "sub r10, 1",
            "and rax, r10",
            "mov r9, [rsp]",
            "sub rcx, r9",
            "sub r8, r9",
            "shr r9, 5",
            "5:",
            "mov r10, [rcx]",
            "mov r11, [rcx + 8]",
            "mov r12, [rcx + 16]",
            "mov r13, [rcx + 24]",
            "mov r14, [r8]",
            "mov r15, [r8 + 8]",
            "xor r10, r14",
            "xor r11, r15",
            "and r10, rax",
            "and r11, rax",
            "xor r10, r14",
            "xor r11, r15",
            "mov [r8], r10",
            "mov [r8 + 8], r11",
            "mov r14, [r8 + 16]",
            "mov r15, [r8 + 24]",
            "xor r12, r14",
            "xor r13, r15",
            "and r12, rax",
            "and r13, rax",
            "xor r12, r14",
            "xor r13, r15",
            "mov [r8 + 16], r12",
            "mov [r8 + 24], r13",
            "lea rcx, [rcx + 32]",
            "lea r8, [r8 + 32]",
            "dec r9",
            "jnz 5b",
            "add rsp, 64",
            inout("rsi") a.as_ptr() => _,
            inout("rdi") n.as_ptr() => _,
            inout("rcx") t.as_mut_ptr() => _,
            out("rax") _,
            out("rdx") _,
            inout("r8") b.as_ptr() => _,
            inout("r9") len => _,
            inout("r10") n0 => _,
            inout("r11") r.as_mut_ptr() => _,
            out("r12") _,
            out("r13") _,
            out("r14") _,
            out("r15") _,
        );
    }
}

/// The table scan of [`MulxAdx::select`], four words at a time: every word of
/// every entry is loaded and masked; the mask is all ones only for entry
/// `idx`. `table` holds at least `entries len` words and `out` `len`, with
/// `len` a multiple of 4.
#[target_feature(enable = "avx2")]
unsafe fn select_avx2(table: &[u64], entries: usize, len: usize, idx: u64, out: &mut [u64]) {
    // Constant time: the loads and the mask arithmetic do not depend on idx.
    debug_assert!(table.len() >= entries * len && out.len() >= len && len.is_multiple_of(4));
    let want = _mm256_set1_epi64x(idx as i64);
    let one = _mm256_set1_epi64x(1);
    // Up to 32 words (the RSA-2048 and -4096 half sizes) are gathered in
    // registers over one pass through the table; longer values in pieces.
    for w0 in (0..len).step_by(32) {
        let groups = (len - w0).min(32) / 4;
        let mut acc = [_mm256_setzero_si256(); 8];
        let mut j = _mm256_setzero_si256();
        for e in 0..entries {
            let mask = _mm256_cmpeq_epi64(j, want);
            j = _mm256_add_epi64(j, one);
            // SAFETY: entry e spans table[e len..(e + 1) len], and the
            // groups read words w0..w0 + 4 groups of it, within len.
            let src = unsafe { table.as_ptr().add(e * len + w0) };
            for (g, a) in acc.iter_mut().enumerate().take(groups) {
                // SAFETY: as above; unaligned loads are allowed.
                let v = unsafe { _mm256_loadu_si256(src.add(4 * g).cast::<__m256i>()) };
                *a = _mm256_or_si256(*a, _mm256_and_si256(v, mask));
            }
        }
        for (g, a) in acc.iter().enumerate().take(groups) {
            let dst = &mut out[w0 + 4 * g..w0 + 4 * g + 4];
            // SAFETY: `dst` is four in-bounds words; unaligned stores are
            // allowed.
            unsafe { _mm256_storeu_si256(dst.as_mut_ptr().cast::<__m256i>(), *a) };
        }
    }
}
