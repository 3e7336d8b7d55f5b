//! The whole Montgomery ladder loop as one `asm!` block (MULX, ADCX, ADOX):
//! the state lives in a caller-owned array of 32-byte slots addressed from
//! `rdi`, and every field operation is a short macro over slot offsets, so
//! nothing is shuffled between operations and independent multiplications
//! sit next to each other for the out-of-order core to overlap.
//!
//! The two points are never swapped. A step doubles one of them and adds the
//! two; the differential addition is symmetric in its operands (exchanging
//! them only flips the sign of DA - CB, which is squared), so it reads the
//! slots as they are, and only the doubling's two inputs are chosen, by
//! CMOV, off the addition's path. The sum always goes to (x3, z3) and the
//! double to (x2, z2); which of them is R0 = kP is the last scalar bit, kept
//! in `SWAP`.
//!
//! The reduction is lazy (see `fe_asm.rs`): every sum and difference in the
//! step feeds only a multiplication, and every operand of a sum, and every
//! subtrahend, is a product, so the bounds the macros need hold. DA and CB
//! are folded once only, to five words, and their sum and difference fold
//! the rest.

/// Word offsets of the slots in the state (four words per field element).
pub(super) const X2: usize = 0;
pub(super) const Z2: usize = 4;
pub(super) const X3: usize = 8;
pub(super) const Z3: usize = 12;
pub(super) const X1: usize = 16;
/// The clamped scalar as four little-endian words.
pub(super) const K: usize = 62;
/// The bit position the loop is at (public), counting down to 0.
pub(super) const COUNT: usize = 66;
/// The previous scalar bit: 1 when (x3, z3) holds R0 = kP, else (x2, z2).
const SWAP: usize = 67;
/// Words in the state: the five above, the temporaries (62 words in all,
/// two of them five words wide), then K, COUNT and SWAP.
pub(super) const WORDS: usize = 68;

// The slots as addresses: x2, z2, x3, z3, x1; A, B, C, D (the sums and
// differences), AT and BT (the doubling's inputs), DA and CB (five words
// each), AA and BB. Later in a step S, S' and S'^2 reuse A, B and C, and E
// and T reuse D and AT.
#[rustfmt::skip]
macro_rules! slot {
    (x2) => { "rdi + 0" };
    (z2) => { "rdi + 32" };
    (x3) => { "rdi + 64" };
    (z3) => { "rdi + 96" };
    (x1) => { "rdi + 128" };
    (a) => { "rdi + 160" };
    (b) => { "rdi + 192" };
    (c) => { "rdi + 224" };
    (d) => { "rdi + 256" };
    (at) => { "rdi + 288" };
    (bt) => { "rdi + 320" };
    (da) => { "rdi + 352" };
    (cb) => { "rdi + 392" };
    (aa) => { "rdi + 432" };
    (bb) => { "rdi + 464" };
}

/// Runs the ladder over bit positions `state[COUNT]` (at least 3) down to 0
/// of the clamped scalar at `state[K..K + 4]` (bits 0-2 clear), on
/// (x2, z2, x3, z3) with base x1, leaving kP in (x2, z2).
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
        run_with_state!(
            state,
            [
                "2:",
                // bit = (k >> count) & 1; esi = (previous bit) ^ bit: nonzero
                // when the point to double is the one in (x3, z3).
                "mov rcx, qword ptr [rdi + 8*{count}]",
                "mov rax, rcx",
                "shr rax, 6",
                "mov rax, qword ptr [rdi + 8*{k} + 8*rax]",
                "shr rax, cl",
                "and eax, 1",
                "mov rsi, qword ptr [rdi + 8*{swap}]",
                "mov qword ptr [rdi + 8*{swap}], rax",
                "xor esi, eax",
                // A = x2 + z2, B = x2 - z2, C = x3 + z3, D = x3 - z3, and the
                // doubling's inputs AT, BT: (A, B), or (C, D) when esi is
                // nonzero (chosen before any product, which reuse rsi).
                //
                // Then the addition, DA and CB (five words each), S = DA + CB,
                // S' = DA - CB, x3 = S^2, z3 = x1 S'^2; and the doubling, AA,
                // BB, E = AA - BB, T = AA + a24 E, x2 = AA BB, z2 = E T. Their
                // order is the fastest of those measured: it moves the time of
                // a step by several percent, as it decides what the
                // out-of-order core finds to overlap with the long addition
                // chain (the doubling's squarings between its products).
                sub!(slot!(d), slot!(x3), slot!(z3)),
                add!(slot!(a), slot!(x2), slot!(z2)),
                sub!(slot!(b), slot!(x2), slot!(z2)),
                add!(slot!(c), slot!(x3), slot!(z3)),
                select_to!(slot!(at), slot!(a), slot!(c)),
                select_to!(slot!(bt), slot!(b), slot!(d)),
                mul_wide!(slot!(da), slot!(d), slot!(a)),
                mul_wide!(slot!(cb), slot!(c), slot!(b)),
                sqr!(slot!(bb), slot!(bt)),
                sum_diff_wide!(slot!(a), slot!(b), slot!(da), slot!(cb)),
                sqr!(slot!(aa), slot!(at)),
                sqr!(slot!(c), slot!(b)),
                sub!(slot!(d), slot!(aa), slot!(bb)),
                sqr!(slot!(x3), slot!(a)),
                a24_add!(slot!(at), slot!(d), slot!(aa)),
                mul!(slot!(x2), slot!(aa), slot!(bb)),
                mul!(slot!(z2), slot!(d), slot!(at)),
                mul!(slot!(z3), slot!(x1), slot!(c)),
                "sub qword ptr [rdi + 8*{count}], 1",
                "cmp qword ptr [rdi + 8*{count}], 3",
                "jae 2b",
                // Bits 2, 1, 0 of a clamped scalar are 0: R0 (the slot the last
                // bit names) is doubled three times in (x2, z2).
                "mov rsi, qword ptr [rdi + 8*{swap}]",
                select_to!(slot!(x2), slot!(x2), slot!(x3)),
                select_to!(slot!(z2), slot!(z2), slot!(z3)),
                "mov qword ptr [rdi + 8*{swap}], 0",
                "mov qword ptr [rdi + 8*{count}], 3",
                "3:",
                add!(slot!(a), slot!(x2), slot!(z2)),
                sub!(slot!(b), slot!(x2), slot!(z2)),
                sqr!(slot!(aa), slot!(a)),
                sqr!(slot!(bb), slot!(b)),
                mul!(slot!(x2), slot!(aa), slot!(bb)),
                sub!(slot!(d), slot!(aa), slot!(bb)),
                a24_add!(slot!(at), slot!(d), slot!(aa)),
                mul!(slot!(z2), slot!(d), slot!(at)),
                "sub qword ptr [rdi + 8*{count}], 1",
                "jnz 3b",
            ],
            count = const COUNT,
            k = const K,
            swap = const SWAP,
        );
    }
}
