//! Inversion mod p = 2^255 - 19 by Fermat's little theorem: z^(p - 2), with
//! the usual fixed chain of 254 squarings and 11 multiplications, the same
//! instructions whatever z is.
//!
//! Each link of the chain waits for the one before it, so what counts is
//! the latency of a squaring more than its throughput. The runs of
//! squarings therefore keep the value in registers from one squaring to the
//! next, with no store and reload between them; the eleven products use the
//! ladder's `mul!` on a small state array (the value A in bytes 0-31, the
//! operand B in 32-63).

use super::Fe;

/// Words in the state.
const WORDS: usize = 8;
const A: usize = 0;
const B: usize = 4;

/// One squaring of a0..a3 = (r8, `$a1`, `$a2`, `$a3`) into (r8, `$z1`,
/// `$z2`, `$z3`), bounded (below 2^255 + 2^11); r15, rsi, rbx, rdi, rax, rcx
/// and rdx are scratch, and the input registers are overwritten.
///
/// Laid out for a short dependency path: the cross products a0 a1, a0 a3
/// and a2 a3 do not overlap and land in z1..z6 = (`$z1`, `$z2`, `$z3`, r15,
/// rsi, rbx) as they are; a0 a2, a1 a2 and a1 a3 are added on the CF and OF
/// chains; then the doubling (CF) and the squares (OF) run on fresh flags,
/// z0 = r8 and z7 = rdi; then 2^256 = 38 folds z4..z7 in, and 19 times the
/// bits from 255 up goes back into the low word.
#[rustfmt::skip]
macro_rules! sqr_regs {
    ($a1:literal, $a2:literal, $a3:literal, $z1:literal, $z2:literal, $z3:literal) => {
        concat!(
            // Cross products.
            "mov rdx, r8\n",
            "mulx ", $z2, ", ", $z1, ", ", $a1, "\n",
            "mulx r15, ", $z3, ", ", $a3, "\n",
            "mulx rcx, rax, ", $a2, "\n",
            "mov rdx, ", $a2, "\n",
            "mulx rbx, rsi, ", $a3, "\n",
            "xor edi, edi\n",
            "adcx ", $z2, ", rax\n",
            "adox ", $z3, ", rcx\n",
            "mulx rcx, rax, ", $a1, "\n",
            "adcx ", $z3, ", rax\n",
            "adox r15, rcx\n",
            "mov rdx, ", $a1, "\n",
            "mulx rcx, rax, ", $a3, "\n",
            "adcx r15, rax\n",
            "adox rsi, rcx\n",
            "adcx rsi, rdi\n",
            "adox rbx, rdi\n",
            "adcx rbx, rdi\n",
            // Twice the cross products plus the squares.
            "mov rdx, r8\n",
            "mulx rcx, r8, rdx\n",
            "xor eax, eax\n",
            "adcx ", $z1, ", ", $z1, "\n",
            "adox ", $z1, ", rcx\n",
            "mov rdx, ", $a1, "\n",
            "mulx rcx, rax, rdx\n",
            "adcx ", $z2, ", ", $z2, "\n",
            "adox ", $z2, ", rax\n",
            "adcx ", $z3, ", ", $z3, "\n",
            "adox ", $z3, ", rcx\n",
            "mov rdx, ", $a2, "\n",
            "mulx rcx, rax, rdx\n",
            "adcx r15, r15\n",
            "adox r15, rax\n",
            "adcx rsi, rsi\n",
            "adox rsi, rcx\n",
            "mov rdx, ", $a3, "\n",
            "mulx rcx, rax, rdx\n",
            "adcx rbx, rbx\n",
            "adox rbx, rax\n",
            "adcx rdi, rdi\n",
            "adox rdi, rcx\n",
            // z0..z3 + 38 (z4..z7): a top word of at most 39 in r15.
            "mov edx, 38\n",
            "xor ", $a2, ", ", $a2, "\n",
            "mulx rcx, rax, r15\n",
            "adcx r8, rax\n",
            "adox ", $z1, ", rcx\n",
            "mulx rcx, rax, rsi\n",
            "adcx ", $z1, ", rax\n",
            "adox ", $z2, ", rcx\n",
            "mulx rcx, rax, rbx\n",
            "adcx ", $z2, ", rax\n",
            "adox ", $z3, ", rcx\n",
            "mulx r15, rax, rdi\n",
            "adcx ", $z3, ", rax\n",
            "adox r15, ", $a2, "\n",
            "adcx r15, ", $a2, "\n",
            fold!($z1, $z2, $z3),
        )
    };
}

/// [r15 `$z3` `$z2` `$z1` r8] with a small top word -> bounded: bit 255
/// cleared and 19 (2 r15 + bit 255) added; the carry stops below bit 255.
#[rustfmt::skip]
macro_rules! fold {
    ($z1:literal, $z2:literal, $z3:literal) => {
        concat!(
            "shld r15, ", $z3, ", 1\n",
            "btr ", $z3, ", 63\n",
            "imul r15, r15, 19\n",
            "add r8, r15\n",
            "adc ", $z1, ", 0\n",
            "adc ", $z2, ", 0\n",
            "adc ", $z3, ", 0\n",
        )
    };
}

/// The chain's working state; wiped on drop.
struct State([u64; WORDS]);

impl State {
    fn a(&self) -> Fe {
        core::array::from_fn(|i| self.0[A + i])
    }

    /// A = A^(2^n), n >= 1; A is bounded afterwards (below 2^255 + 2^11).
    ///
    /// # Safety
    ///
    /// The CPU must have BMI2 and ADX.
    unsafe fn sqr_n(&mut self, n: u64) {
        let [mut a0, mut a1, mut a2, mut a3] = self.a();
        // SAFETY: the caller guarantees MULX, ADCX and ADOX. Registers and
        // two stack words: rbx and the count are pushed and popped around
        // the loops (rdi then serves as a register); the branches depend
        // only on the public count.
        unsafe {
            core::arch::asm!(
                "push rbx",
                "push rdi",
                // An odd count: one squaring, then the result moved back to
                // r8..r11; then pairs of squarings, the second of each with
                // the registers' roles exchanged, so no moves.
                "test byte ptr [rsp], 1",
                "jz 3f",
                sqr_regs!("r9", "r10", "r11", "r12", "r13", "r14"),
                "mov r9, r12",
                "mov r10, r13",
                "mov r11, r14",
                "3:",
                "shr qword ptr [rsp], 1",
                "jz 4f",
                "2:",
                sqr_regs!("r9", "r10", "r11", "r12", "r13", "r14"),
                sqr_regs!("r12", "r13", "r14", "r9", "r10", "r11"),
                "dec qword ptr [rsp]",
                "jnz 2b",
                "4:",
                "pop rdi",
                "pop rbx",
                inout("r8") a0,
                inout("r9") a1,
                inout("r10") a2,
                inout("r11") a3,
                inout("rdi") n => _,
                out("rax") _,
                out("rcx") _,
                out("rdx") _,
                out("rsi") _,
                out("r12") _,
                out("r13") _,
                out("r14") _,
                out("r15") _,
            );
        }
        self.0[A..A + 4].copy_from_slice(&[a0, a1, a2, a3]);
        for v in [&mut a0, &mut a1, &mut a2, &mut a3] {
            *v = core::hint::black_box(0);
        }
    }

    /// A = A b.
    ///
    /// # Safety
    ///
    /// The CPU must have BMI2 and ADX.
    unsafe fn mul(&mut self, b: &Fe) {
        self.0[B..B + 4].copy_from_slice(b);
        // SAFETY: the caller guarantees MULX, ADCX and ADOX; `mul!` reads
        // and writes `rdi` plus constants below 64, inside the state; no
        // branch.
        unsafe {
            run_with_state!(self.0, [mul!("rdi + 0", "rdi + 0", "rdi + 32")]);
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        crate::ct::wipe_words(&mut self.0);
    }
}

/// 1/z (0 for 0) for any z below 2^256, as a value below 2^256.
///
/// # Safety
///
/// The CPU must have BMI2 and ADX.
pub(super) unsafe fn invert(z: &Fe) -> Fe {
    let mut s = State([0; WORDS]);
    s.0[A..A + 4].copy_from_slice(z);
    // SAFETY (whole block): the caller guarantees BMI2 and ADX.
    let mut kept = unsafe {
        s.sqr_n(1);
        let z2 = s.a();
        s.sqr_n(2);
        s.mul(z);
        let z9 = s.a();
        s.mul(&z2);
        let z11 = s.a();
        s.sqr_n(1);
        s.mul(&z9);
        let z5 = s.a(); // z^(2^5 - 1)
        s.sqr_n(5);
        s.mul(&z5);
        let z10 = s.a(); // z^(2^10 - 1)
        s.sqr_n(10);
        s.mul(&z10);
        let z20 = s.a();
        s.sqr_n(20);
        s.mul(&z20);
        s.sqr_n(10);
        s.mul(&z10);
        let z50 = s.a();
        s.sqr_n(50);
        s.mul(&z50);
        let z100 = s.a();
        s.sqr_n(100);
        s.mul(&z100);
        s.sqr_n(50);
        s.mul(&z50);
        s.sqr_n(5);
        s.mul(&z11); // z^(2^255 - 21) = z^(p - 2)
        [z2, z9, z11, z5, z10, z20, z50, z100]
    };
    let out = s.a();
    for v in &mut kept {
        crate::ct::wipe_words(v);
    }
    out
}
