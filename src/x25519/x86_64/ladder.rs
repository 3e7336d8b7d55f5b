//! The whole Montgomery ladder loop as one `asm!` block (MULX, ADCX, ADOX):
//! the state lives in a caller-owned array of 32-byte slots addressed from
//! `rdi`, and every field operation is a short macro over slot offsets, so
//! nothing is shuffled between operations and independent multiplications
//! sit next to each other for the out-of-order core to overlap.
//!
//! The reduction is lazy (see `fe_asm.rs`): every sum and difference in the
//! step feeds only a multiplication, and every operand of a sum, and every
//! subtrahend, is a product, so the bounds the macros need hold.

/// Word offsets of the slots in the state (four words per field element).
pub(super) const X2: usize = 0;
pub(super) const Z2: usize = 4;
pub(super) const X3: usize = 8;
pub(super) const Z3: usize = 12;
pub(super) const X1: usize = 16;
/// The clamped scalar as four little-endian words.
pub(super) const K: usize = 64;
/// The bit position the loop is at (public), counting down to 0.
pub(super) const COUNT: usize = 68;
/// The previous scalar bit: whether (x2, z2) and (x3, z3) are swapped.
pub(super) const SWAP: usize = 69;
/// Words in the state: the five above, ten temporaries, then K, COUNT, SWAP.
pub(super) const WORDS: usize = 70;

/// Runs the ladder over bit positions `state[COUNT]` (at least 3) down to 0
/// of the clamped scalar at `state[K..K + 4]` (bits 0-2 clear), on
/// (x2, z2, x3, z3) with base x1, leaving the last bit in `state[SWAP]`
/// (the caller does the final swap, which now never swaps).
///
/// # Safety
///
/// The CPU must have BMI2 and ADX.
pub(super) unsafe fn run(state: &mut [u64; WORDS]) {
    // SAFETY: the caller guarantees MULX/ADCX/ADOX. Every memory access is
    // `rdi` plus a constant below 8 * WORDS, or the scalar word
    // `rdi + 8 * K + 8 * (count / 64)` with count < 256, all inside `state`.
    // Branches depend only on the public loop counters; scalar bits reach
    // only CMOV conditions.
    unsafe {
        core::arch::asm!(
            "2:",
            // bit = (k >> count) & 1; esi = swap state ^ bit decides
            // whether (x2, z2) and (x3, z3) trade places. The swap is done
            // on A, B, C, D instead (the same thing, one step fewer).
            "mov rcx, qword ptr [rdi + 8*{count}]",
            "mov rax, rcx",
            "shr rax, 6",
            "mov rax, qword ptr [rdi + 8*{k} + 8*rax]",
            "shr rax, cl",
            "and eax, 1",
            "mov rsi, qword ptr [rdi + 8*{swap}]",
            "mov qword ptr [rdi + 8*{swap}], rax",
            "xor esi, eax",
            // A = x2 + z2, C = x3 + z3, B = x2 - z2, D = x3 - z3, swapped
            add_pair_swap!("160", "224", "0", "32", "64", "96"),
            sub_pair_swap!("192", "256", "0", "32", "64", "96"),
            // DA, AA, CB, BB: the order that measured fastest of the few
            // tried (DA and CB start the longest chain, three products
            // deep to z3; neighbours are independent).
            mul!("352", "256", "160"),
            sqr!("288", "160"),
            mul!("384", "224", "192"),
            sqr!("320", "192"),
            // S = DA + CB, S' = DA - CB; then x3 = S^2, E = AA - BB, S'^2,
            // x2 = AA BB, T = AA + a24 E, z3 = x1 S'^2, z2 = E T.
            add!("448", "352", "384"),
            sub!("480", "352", "384"),
            sqr!("64", "448"),
            sub!("416", "288", "320"),
            sqr!("448", "480"),
            mul!("0", "288", "320"),
            a24_add!("480", "416", "288"),
            mul!("96", "128", "448"),
            mul!("32", "416", "480"),
            "sub qword ptr [rdi + 8*{count}], 1",
            "cmp qword ptr [rdi + 8*{count}], 3",
            "jae 2b",
            // Bits 2, 1, 0 of a clamped scalar are 0: the step for bit 2
            // swaps by the swap state alone, and after it only (x2, z2)
            // matters, so the last three steps are doublings of (x2, z2).
            "mov rsi, qword ptr [rdi + 8*{swap}]",
            select_from!("0", "64"),
            select_from!("32", "96"),
            "mov qword ptr [rdi + 8*{swap}], 0",
            "mov qword ptr [rdi + 8*{count}], 3",
            "3:",
            add!("160", "0", "32"),
            sub!("192", "0", "32"),
            sqr!("288", "160"),
            sqr!("320", "192"),
            mul!("0", "288", "320"),
            sub!("416", "288", "320"),
            a24_add!("480", "416", "288"),
            mul!("32", "416", "480"),
            "sub qword ptr [rdi + 8*{count}], 1",
            "jnz 3b",
            count = const COUNT,
            k = const K,
            swap = const SWAP,
            in("rdi") state.as_mut_ptr(),
            out("rax") _,
            out("rcx") _,
            out("rdx") _,
            out("rsi") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r12") _,
            out("r13") _,
            out("r14") _,
            out("r15") _,
            options(nostack),
        );
    }
}
