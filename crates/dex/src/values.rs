//! Intra-method constant tracking: what each register holds, instruction by instruction.
//!
//! One forward pass over a method's instructions in address order keeps an abstract value per
//! register: integer and string constants, class literals, arrays built with `new-array` +
//! `aput*` or `filled-new-array`, objects created by `new-instance` (by the address that
//! created them), and values derived at run time from a parameter, a field or a call's result.
//! Each invoke is shown to a [`ValueVisitor`] with its arguments' values; the visitor may say
//! what the call returns (a model of `Intent.setPackage` returning its receiver, of
//! `Arrays.asList` returning its array).
//!
//! The pass follows the control flow: basic blocks from branch targets and the instructions
//! after branches, a register's value at a block's entry is what every predecessor agrees on
//! (or unknown), iterated to a fixed point; then each block runs once more, in address order,
//! to show its calls to the visitor. Exception handlers (try blocks are not decoded) start
//! with nothing known. Methods too large for that (more than [`MAX_CFG_INSNS`] instructions or
//! [`MAX_CFG_CELLS`] block-entry registers) get one pass in address order instead, where a
//! register keeps the last value written whichever branch wrote it. Callers use the values as
//! evidence, never as proof that a branch runs.

use crate::code::{Code, Insn, InvokeKind, RefKind, op_info};
use crate::dex::Dex;
use crate::read::{u16_at, u32_at};

/// Elements kept per array: larger constant arrays are cut (and marked so).
pub const MAX_ARRAY_ELEMENTS: usize = 64;
/// Arrays tracked per method; later ones are unknown.
pub const MAX_ARRAYS: usize = 256;
/// Arguments passed to a visitor per call (a `/range` invoke may name 255 registers).
const MAX_ARGS: usize = 255;
/// Instructions of the largest method whose control flow is followed.
pub const MAX_CFG_INSNS: usize = 20_000;
/// Registers at block entries kept at most (blocks × registers) when following control flow.
pub const MAX_CFG_CELLS: usize = 1 << 20;
/// Visits of each block, on average, before the fixed-point iteration gives up (it converges
/// far sooner: a register's entry value only ever goes from known to unknown).
const VISITS_PER_BLOCK: usize = 8;

/// Where a value known only at run time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The method's parameter `n` (0 is `this` for an instance method).
    Param(u16),
    /// The result of a call to this method id (or of calls made on it).
    Call(u32),
    /// An instance field (by field id) of an object the method did not create.
    Field(u32),
    /// A static field (by field id).
    StaticField(u32),
    /// A caught exception or anything else.
    Other,
}

/// The abstract value of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Value {
    /// Nothing known.
    #[default]
    Unknown,
    /// An integer constant (`const*`; wide constants are not tracked).
    Int(i64),
    /// A string constant: a string id.
    Str(u32),
    /// A class literal (`const-class`): a type id.
    Class(u32),
    /// An array built in this method: an index into [`Frame::array`].
    Array(u16),
    /// An object created in this method by `new-instance` of `type_idx` at address `site`.
    Object {
        /// Type id of the class.
        type_idx: u32,
        /// Address (pc) of the `new-instance`.
        site: u32,
    },
    /// A value computed at run time.
    Derived {
        /// Where it comes from: the parameter, field or call it was read from first.
        origin: Origin,
        /// The last call that produced it (a method id), if any: `getPackageName` for a
        /// package name read from a context that came from a parameter.
        last_call: Option<u32>,
    },
}

impl Value {
    /// A value read at run time from `origin`, through no call yet.
    pub fn derived(origin: Origin) -> Self {
        Value::Derived {
            origin,
            last_call: None,
        }
    }
}

/// An array's tracked contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArrayValue {
    /// The array's type id (`[Ljava/lang/String;`).
    pub type_idx: u32,
    /// Its length, when the size was a constant.
    pub len: Option<u32>,
    /// Elements by index, [`Value::Unknown`] where nothing was stored or known; at most
    /// [`MAX_ARRAY_ELEMENTS`].
    pub elements: Vec<Value>,
    /// More elements were stored than are kept.
    pub truncated: bool,
}

/// The state the pass keeps besides registers: the arrays built so far.
#[derive(Debug, Default)]
pub struct Frame {
    arrays: Vec<ArrayValue>,
    /// The array each allocating instruction made (by its pc): a block run again reuses it.
    by_site: std::collections::HashMap<u32, u16>,
}

impl Frame {
    /// The contents of array `id` (from [`Value::Array`]).
    pub fn array(&self, id: u16) -> Option<&ArrayValue> {
        self.arrays.get(usize::from(id))
    }

    fn new_array(&mut self, site: u32, array: ArrayValue) -> Value {
        if let Some(&id) = self.by_site.get(&site) {
            if let Some(slot) = self.arrays.get_mut(usize::from(id)) {
                *slot = array;
            }
            return Value::Array(id);
        }
        if self.arrays.len() >= MAX_ARRAYS {
            return Value::Unknown;
        }
        let id = u16::try_from(self.arrays.len()).unwrap_or(u16::MAX);
        self.arrays.push(array);
        self.by_site.insert(site, id);
        Value::Array(id)
    }

    fn store(&mut self, array: Value, index: Value, value: Value) {
        let (Value::Array(id), Value::Int(index)) = (array, index) else {
            return;
        };
        let Some(array) = self.arrays.get_mut(usize::from(id)) else {
            return;
        };
        let Ok(index) = usize::try_from(index) else {
            return;
        };
        if index >= MAX_ARRAY_ELEMENTS {
            array.truncated = true;
            return;
        }
        if array.elements.len() <= index {
            array
                .elements
                .resize(index.saturating_add(1), Value::Unknown);
        }
        if let Some(slot) = array.elements.get_mut(index) {
            *slot = value;
        }
    }
}

/// One invoke, with what its arguments hold.
#[derive(Debug)]
pub struct Call<'f> {
    /// Address of the invoke.
    pub pc: u32,
    /// The method id called.
    pub method_idx: u32,
    /// Which invoke.
    pub kind: InvokeKind,
    /// The arguments by logical position (the receiver first for all but static calls; a
    /// `long` or `double` is one argument).
    pub args: &'f [Value],
    /// The arrays built so far.
    pub frame: &'f Frame,
}

/// What a caller learns from the pass.
pub trait ValueVisitor {
    /// What a call evaluates to when the visitor knows better than the default (a new
    /// [`Value::Derived`] for calls that return a value, or the receiver for builder methods
    /// returning their own class). Pure: it may be asked several times per call while the
    /// control flow is followed.
    fn result(&self, call: &Call<'_>) -> Option<Value> {
        let _ = call;
        None
    }

    /// Every invoke, once, in address order, with its arguments' values at the fixed point.
    fn invoke(&mut self, call: &Call<'_>) {
        let _ = call;
    }

    /// A `return` or `return-object` of `value` at `pc`.
    fn returns(&mut self, pc: u32, value: Value, frame: &Frame) {
        let _ = (pc, value, frame);
    }

    /// A `sput-object` of `value` to static field `field_idx` at `pc`.
    fn static_put(&mut self, pc: u32, field_idx: u32, value: Value, frame: &Frame) {
        let _ = (pc, field_idx, value, frame);
    }
}

/// A visitor that only answers [`ValueVisitor::result`]: the fixed-point iteration shows
/// nothing to the caller's visitor until the last pass.
struct Quiet<'v, V>(&'v V);

impl<V: ValueVisitor> ValueVisitor for Quiet<'_, V> {
    fn result(&self, call: &Call<'_>) -> Option<Value> {
        self.0.result(call)
    }
}

/// A basic block: instructions `start..end` (indices into the method's instruction list) and
/// the blocks control may pass to.
#[derive(Debug)]
struct Block {
    start: usize,
    end: usize,
    successors: Vec<usize>,
}

/// Reusable buffers of the pass (registers, arguments), so tracking many methods allocates
/// once.
#[derive(Debug, Default)]
pub struct Tracker {
    regs: Vec<Value>,
    args: Vec<Value>,
    /// The registers an invoke or `filled-new-array` names.
    operands: Vec<usize>,
}

/// What [`Tracker::track`] needs to know of the method besides its code.
#[derive(Debug, Clone, Copy)]
pub struct MethodShape {
    /// The method's own id (for its parameters' shorty).
    pub method_idx: u32,
    /// `ACC_STATIC`: no `this` register.
    pub is_static: bool,
}

const OP_MOVE: u8 = 0x01;
const OP_MOVE_16: u8 = 0x03;
const OP_MOVE_WIDE: u8 = 0x04;
const OP_MOVE_WIDE_16: u8 = 0x06;
const OP_MOVE_OBJECT: u8 = 0x07;
const OP_MOVE_OBJECT_16: u8 = 0x09;
const OP_MOVE_RESULT: u8 = 0x0a;
const OP_MOVE_RESULT_WIDE: u8 = 0x0b;
const OP_MOVE_RESULT_OBJECT: u8 = 0x0c;
const OP_MOVE_EXCEPTION: u8 = 0x0d;
const OP_RETURN: u8 = 0x0f;
const OP_RETURN_OBJECT: u8 = 0x11;
const OP_CONST_4: u8 = 0x12;
const OP_CONST_16: u8 = 0x13;
const OP_CONST: u8 = 0x14;
const OP_CONST_HIGH16: u8 = 0x15;
const OP_CONST_WIDE_16: u8 = 0x16;
const OP_CONST_WIDE_HIGH16: u8 = 0x19;
const OP_CONST_STRING: u8 = 0x1a;
const OP_CONST_STRING_JUMBO: u8 = 0x1b;
const OP_CONST_CLASS: u8 = 0x1c;
const OP_CHECK_CAST: u8 = 0x1f;
const OP_NEW_INSTANCE: u8 = 0x22;
const OP_NEW_ARRAY: u8 = 0x23;
const OP_FILLED_NEW_ARRAY: u8 = 0x24;
const OP_FILLED_NEW_ARRAY_RANGE: u8 = 0x25;
const OP_AGET_WIDE: u8 = 0x45;
const OP_AGET_OBJECT: u8 = 0x46;
const OP_APUT: u8 = 0x4b;
const OP_APUT_SHORT: u8 = 0x51;
const OP_IGET_WIDE: u8 = 0x53;
const OP_IGET_OBJECT: u8 = 0x54;
const OP_SGET_WIDE: u8 = 0x61;
const OP_SGET_OBJECT: u8 = 0x62;
const OP_SPUT_OBJECT: u8 = 0x69;

impl Tracker {
    /// A tracker with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs the pass over `code` of the method `shape`, showing every invoke, return and
    /// static store to `visitor`.
    pub fn track<V: ValueVisitor>(
        &mut self,
        dex: &Dex<'_>,
        code: &Code<'_>,
        shape: MethodShape,
        visitor: &mut V,
    ) {
        let mut frame = Frame::default();
        self.regs.clear();
        self.regs
            .resize(usize::from(code.registers_size), Value::Unknown);
        self.enter(dex, code, shape);
        let insns: Vec<Insn<'_>> = code
            .instructions()
            .filter(|i| i.payload.is_none())
            .collect();
        let registers = usize::from(code.registers_size);
        let blocks = (insns.len() <= MAX_CFG_INSNS)
            .then(|| blocks(code, &insns))
            .filter(|b| b.len().saturating_mul(registers) <= MAX_CFG_CELLS);
        let Some(blocks) = blocks else {
            // One pass in address order.
            self.run(dex, &insns, &mut frame, visitor);
            return;
        };
        let entry = std::mem::take(&mut self.regs);
        let states = self.fixed_point(dex, &insns, &blocks, &entry, &mut frame, visitor);
        for (block, state) in blocks.iter().zip(states) {
            self.regs = state.unwrap_or_else(|| vec![Value::Unknown; registers]);
            let body = insns.get(block.start..block.end).unwrap_or_default();
            self.run(dex, body, &mut frame, visitor);
        }
    }

    /// Each block's entry registers once nothing changes (`None`: no predecessor reached it).
    fn fixed_point<V: ValueVisitor>(
        &mut self,
        dex: &Dex<'_>,
        insns: &[Insn<'_>],
        blocks: &[Block],
        entry: &[Value],
        frame: &mut Frame,
        visitor: &V,
    ) -> Vec<Option<Vec<Value>>> {
        let mut states: Vec<Option<Vec<Value>>> = vec![None; blocks.len()];
        if let Some(first) = states.first_mut() {
            *first = Some(entry.to_vec());
        }
        let mut work: std::collections::VecDeque<usize> = (0..blocks.len().min(1)).collect();
        let mut queued = vec![false; blocks.len()];
        if let Some(q) = queued.first_mut() {
            *q = true;
        }
        let mut visits_left = blocks
            .len()
            .saturating_mul(VISITS_PER_BLOCK)
            .saturating_add(16);
        let mut quiet = Quiet(visitor);
        while let Some(b) = work.pop_front() {
            if visits_left == 0 {
                break;
            }
            visits_left = visits_left.saturating_sub(1);
            if let Some(q) = queued.get_mut(b) {
                *q = false;
            }
            let (Some(block), Some(Some(state))) = (blocks.get(b), states.get(b)) else {
                continue;
            };
            self.regs.clone_from(state);
            let body = insns.get(block.start..block.end).unwrap_or_default();
            self.run(dex, body, frame, &mut quiet);
            for &next in &block.successors {
                let Some(slot) = states.get_mut(next) else {
                    continue;
                };
                let changed = match slot {
                    None => {
                        *slot = Some(self.regs.clone());
                        true
                    }
                    Some(old) => join(old, &self.regs),
                };
                if changed && !queued.get(next).copied().unwrap_or(true) {
                    if let Some(q) = queued.get_mut(next) {
                        *q = true;
                    }
                    work.push_back(next);
                }
            }
        }
        states
    }

    /// Runs instructions in order from the current registers.
    fn run<V: ValueVisitor>(
        &mut self,
        dex: &Dex<'_>,
        insns: &[Insn<'_>],
        frame: &mut Frame,
        visitor: &mut V,
    ) {
        let mut result = Value::Unknown;
        for insn in insns {
            let op = insn.opcode;
            match op_info(op).ref_kind {
                RefKind::Method(kind) => {
                    result = self.invoke(dex, insn, kind, frame, visitor);
                    continue;
                }
                RefKind::Type(_)
                    if matches!(op, OP_FILLED_NEW_ARRAY | OP_FILLED_NEW_ARRAY_RANGE) =>
                {
                    result = self.filled_new_array(insn, frame);
                    continue;
                }
                _ => {}
            }
            self.step(insn, result, frame, visitor);
            // `move-result*` must follow its invoke directly; anything else clears it.
            result = Value::Unknown;
        }
    }

    /// Parameters sit in the last `ins_size` registers: `this` first, then each parameter
    /// (two registers for `long` and `double`).
    fn enter(&mut self, dex: &Dex<'_>, code: &Code<'_>, shape: MethodShape) {
        let first = usize::from(code.registers_size).saturating_sub(usize::from(code.ins_size));
        let mut reg = first;
        let mut param: u16 = 0;
        if !shape.is_static {
            self.set(reg, Value::derived(Origin::Param(0)));
            reg = reg.saturating_add(1);
            param = 1;
        }
        let shorty = dex
            .method_ref(shape.method_idx)
            .and_then(|m| dex.proto(m.proto_idx))
            .and_then(|p| dex.string_bytes(p.shorty_idx))
            .unwrap_or_default();
        for &c in shorty.iter().skip(1) {
            self.set(reg, Value::derived(Origin::Param(param)));
            reg = reg.saturating_add(if matches!(c, b'J' | b'D') { 2 } else { 1 });
            param = param.saturating_add(1);
        }
    }

    fn get(&self, reg: usize) -> Value {
        self.regs.get(reg).copied().unwrap_or_default()
    }

    fn set(&mut self, reg: usize, value: Value) {
        if let Some(slot) = self.regs.get_mut(reg) {
            *slot = value;
        }
    }

    fn set_wide(&mut self, reg: usize) {
        self.set(reg, Value::Unknown);
        self.set(reg.saturating_add(1), Value::Unknown);
    }

    /// Every instruction but invokes and `filled-new-array`.
    #[allow(clippy::too_many_lines)] // one arm per opcode family reads best as one match
    fn step<V: ValueVisitor>(
        &mut self,
        insn: &Insn<'_>,
        result: Value,
        frame: &mut Frame,
        visitor: &mut V,
    ) {
        let op = insn.opcode;
        let u0 = insn.unit(0).unwrap_or_default();
        // Register fields of the first unit: `A` (bits 8–11), `B` (12–15), `AA` (8–15).
        let a4 = usize::from((u0 >> 8) & 0xf);
        let b4 = usize::from(u0 >> 12);
        let aa = usize::from(u0 >> 8);
        let unit1 = || usize::from(insn.unit(1).unwrap_or_default());
        match op {
            OP_MOVE | OP_MOVE_OBJECT => self.set(a4, self.get(b4)),
            0x02 | 0x08 => self.set(aa, self.get(unit1())),
            OP_MOVE_16 | OP_MOVE_OBJECT_16 => {
                let to = unit1();
                let from = usize::from(insn.unit(2).unwrap_or_default());
                self.set(to, self.get(from));
            }
            OP_MOVE_WIDE => self.set_wide(a4),
            OP_MOVE_WIDE_16 => self.set_wide(unit1()),
            OP_MOVE_RESULT | OP_MOVE_RESULT_OBJECT => self.set(aa, result),
            0x05 | OP_MOVE_RESULT_WIDE | OP_AGET_WIDE | OP_IGET_WIDE | OP_SGET_WIDE => {
                self.set_wide(aa);
            }
            OP_MOVE_EXCEPTION => self.set(aa, Value::derived(Origin::Other)),
            OP_RETURN | OP_RETURN_OBJECT => visitor.returns(insn.pc, self.get(aa), frame),
            OP_CONST_4 => {
                // A signed 4-bit literal in the top nibble.
                let literal = i64::from((u0.cast_signed()) >> 12);
                self.set(a4, Value::Int(literal));
            }
            OP_CONST_16 => {
                let literal = insn.unit(1).unwrap_or_default().cast_signed();
                self.set(aa, Value::Int(i64::from(literal)));
            }
            OP_CONST => {
                let literal = u32_at(insn.raw, 2).unwrap_or_default().cast_signed();
                self.set(aa, Value::Int(i64::from(literal)));
            }
            OP_CONST_HIGH16 => {
                let literal = (u32::from(insn.unit(1).unwrap_or_default()) << 16).cast_signed();
                self.set(aa, Value::Int(i64::from(literal)));
            }
            OP_CONST_WIDE_16..=OP_CONST_WIDE_HIGH16 => self.set_wide(aa),
            OP_CONST_STRING => self.set(aa, Value::Str(u32::from(insn.unit(1).unwrap_or(0)))),
            OP_CONST_STRING_JUMBO => {
                self.set(aa, Value::Str(u32_at(insn.raw, 2).unwrap_or_default()));
            }
            OP_CONST_CLASS => self.set(aa, Value::Class(u32::from(insn.unit(1).unwrap_or(0)))),
            // The value is the same object, whatever the cast says.
            OP_CHECK_CAST => {}
            OP_NEW_INSTANCE => self.set(
                aa,
                Value::Object {
                    type_idx: u32::from(insn.unit(1).unwrap_or(0)),
                    site: insn.pc,
                },
            ),
            OP_NEW_ARRAY => {
                let len = match self.get(b4) {
                    Value::Int(n) => u32::try_from(n).ok(),
                    _ => None,
                };
                let array = frame.new_array(
                    insn.pc,
                    ArrayValue {
                        type_idx: u32::from(insn.unit(1).unwrap_or(0)),
                        len,
                        ..ArrayValue::default()
                    },
                );
                self.set(a4, array);
            }
            OP_AGET_OBJECT => {
                // vAA = vBB[vCC]: an element of a tracked array, or run-time data of its origin.
                let unit = insn.unit(1).unwrap_or_default();
                let array = self.get(usize::from(unit & 0xff));
                let index = self.get(usize::from(unit >> 8));
                let value = match (array, index) {
                    (Value::Array(id), Value::Int(i)) => frame
                        .array(id)
                        .and_then(|a| a.elements.get(usize::try_from(i).ok()?).copied())
                        .unwrap_or_default(),
                    (Value::Derived { origin, last_call }, _) => {
                        Value::Derived { origin, last_call }
                    }
                    _ => Value::Unknown,
                };
                self.set(aa, value);
            }
            OP_APUT..=OP_APUT_SHORT => {
                // vBB[vCC] = vAA
                let unit = insn.unit(1).unwrap_or_default();
                let array = self.get(usize::from(unit & 0xff));
                let index = self.get(usize::from(unit >> 8));
                frame.store(array, index, self.get(aa));
            }
            OP_IGET_OBJECT => {
                let field = u32::from(insn.unit(1).unwrap_or(0));
                let value = match self.get(b4) {
                    // A field of run-time data is more of that data.
                    Value::Derived {
                        origin:
                            origin @ (Origin::Call(_) | Origin::Field(_) | Origin::StaticField(_)),
                        last_call,
                    } => Value::Derived { origin, last_call },
                    _ => Value::derived(Origin::Field(field)),
                };
                self.set(a4, value);
            }
            OP_SGET_OBJECT => {
                let field = u32::from(insn.unit(1).unwrap_or(0));
                self.set(aa, Value::derived(Origin::StaticField(field)));
            }
            OP_SPUT_OBJECT => {
                let field = u32::from(insn.unit(1).unwrap_or(0));
                visitor.static_put(insn.pc, field, self.get(aa), frame);
            }
            _ => self.clobber(insn),
        }
    }

    /// Whatever an instruction not modelled above writes becomes unknown.
    fn clobber(&mut self, insn: &Insn<'_>) {
        let op = insn.opcode;
        let u0 = insn.unit(0).unwrap_or_default();
        let a4 = usize::from((u0 >> 8) & 0xf);
        let aa = usize::from(u0 >> 8);
        let wide = matches!(
            op,
            0x7d | 0x7e | 0x80 | 0x81 | 0x83 | 0x86 | 0x88 | 0x89 | 0x8b
                | 0x9b..=0xa5 | 0xab..=0xaf | 0xbb..=0xc5 | 0xcb..=0xcf
        );
        let target = match op {
            // Unary operations, `array-length`, `/2addr` arithmetic, `instance-of`,
            // `iget*` and the `/lit16` forms write vA.
            0x20 | 0x21 | 0x52..=0x58 | 0x7b..=0x8f | 0xb0..=0xcf | 0xd0..=0xd7 => Some(a4),
            // Compares, `aget*`, binary operations, `sget*`, `/lit8` forms,
            // `const-method-handle` and `const-method-type` write vAA.
            0x2d..=0x31 | 0x44..=0x4a | 0x60..=0x66 | 0x90..=0xaf | 0xd8..=0xe2 | 0xfe | 0xff => {
                Some(aa)
            }
            _ => None,
        };
        if let Some(reg) = target {
            if wide {
                self.set_wide(reg);
            } else {
                self.set(reg, Value::Unknown);
            }
        }
    }

    /// The registers an invoke or `filled-new-array` names, in order.
    fn operand_registers(insn: &Insn<'_>, out: &mut Vec<usize>) {
        out.clear();
        let u0 = insn.unit(0).unwrap_or_default();
        let count = usize::from(u0 >> 8);
        match op_info(insn.opcode).format {
            crate::code::Format::F35c | crate::code::Format::F45cc => {
                // A|G|op BBBB F|E|D|C: A registers, C D E F then G.
                let count = usize::from(u0 >> 12).min(5);
                let cdef = insn.unit(2).unwrap_or_default();
                let g = usize::from((u0 >> 8) & 0xf);
                let regs = [
                    usize::from(cdef & 0xf),
                    usize::from((cdef >> 4) & 0xf),
                    usize::from((cdef >> 8) & 0xf),
                    usize::from(cdef >> 12),
                    g,
                ];
                out.extend(regs.iter().take(count));
            }
            crate::code::Format::F3rc | crate::code::Format::F4rcc => {
                // AA|op BBBB CCCC: AA registers from vCCCC.
                let first = usize::from(insn.unit(2).unwrap_or_default());
                out.extend((0..count.min(MAX_ARGS)).map(|i| first.saturating_add(i)));
            }
            _ => {}
        }
    }

    fn filled_new_array(&mut self, insn: &Insn<'_>, frame: &mut Frame) -> Value {
        let mut regs = std::mem::take(&mut self.operands);
        Self::operand_registers(insn, &mut regs);
        let truncated = regs.len() > MAX_ARRAY_ELEMENTS;
        let elements = regs
            .iter()
            .take(MAX_ARRAY_ELEMENTS)
            .map(|&r| self.get(r))
            .collect();
        let len = u32::try_from(regs.len()).ok();
        self.operands = regs;
        frame.new_array(
            insn.pc,
            ArrayValue {
                type_idx: u32::from(insn.unit(1).unwrap_or(0)),
                len,
                elements,
                truncated,
            },
        )
    }

    fn invoke<V: ValueVisitor>(
        &mut self,
        dex: &Dex<'_>,
        insn: &Insn<'_>,
        kind: InvokeKind,
        frame: &Frame,
        visitor: &mut V,
    ) -> Value {
        let method_idx = match insn.info().format {
            crate::code::Format::F35c
            | crate::code::Format::F3rc
            | crate::code::Format::F45cc
            | crate::code::Format::F4rcc => u32::from(u16_at(insn.raw, 2).unwrap_or_default()),
            _ => return Value::Unknown,
        };
        let mut regs = std::mem::take(&mut self.operands);
        Self::operand_registers(insn, &mut regs);
        let method = dex.method_ref(method_idx);
        let proto = method.and_then(|m| dex.proto(m.proto_idx));
        let shorty = proto
            .and_then(|p| dex.string_bytes(p.shorty_idx))
            .unwrap_or_default();
        // Registers → logical arguments: the receiver, then one per parameter (a `long` or
        // `double` takes two registers).
        self.args.clear();
        let receiver = (kind != InvokeKind::Static).then_some(b'L');
        let mut at = 0usize;
        for c in receiver.into_iter().chain(shorty.iter().skip(1).copied()) {
            let value = regs.get(at).map_or(Value::Unknown, |&r| self.get(r));
            self.args.push(value);
            at = at.saturating_add(if matches!(c, b'J' | b'D') { 2 } else { 1 });
        }
        self.operands = regs;
        let returns = shorty.first().copied().unwrap_or(b'V');
        let call = Call {
            pc: insn.pc,
            method_idx,
            kind,
            args: &self.args,
            frame,
        };
        visitor.invoke(&call);
        if let Some(value) = visitor.result(&call) {
            return value;
        }
        if returns == b'V' {
            return Value::Unknown;
        }
        let receiver = (kind != InvokeKind::Static)
            .then(|| self.args.first().copied())
            .flatten();
        // A builder method returns its receiver: `Intent.setPackage` returns the same Intent.
        if let (Some(Value::Object { type_idx, site }), Some(p)) = (receiver, proto)
            && p.return_type_idx == type_idx
        {
            return Value::Object { type_idx, site };
        }
        let origin = match receiver {
            Some(Value::Derived {
                origin: origin @ (Origin::Call(_) | Origin::Field(_) | Origin::StaticField(_)),
                ..
            }) => origin,
            _ => Origin::Call(method_idx),
        };
        Value::Derived {
            origin,
            last_call: Some(method_idx),
        }
    }
}

/// Joins `incoming` into `state`: a register both agree on keeps its value, any other becomes
/// unknown. Returns whether `state` changed.
fn join(state: &mut [Value], incoming: &[Value]) -> bool {
    let mut changed = false;
    for (old, new) in state.iter_mut().zip(incoming) {
        if *old != *new && *old != Value::Unknown {
            *old = Value::Unknown;
            changed = true;
        }
    }
    changed
}

const OP_RETURN_VOID: u8 = 0x0e;
const OP_RETURN_WIDE: u8 = 0x10;
const OP_THROW: u8 = 0x27;
const OP_GOTO: u8 = 0x28;
const OP_GOTO_16: u8 = 0x29;
const OP_GOTO_32: u8 = 0x2a;
const OP_PACKED_SWITCH: u8 = 0x2b;
const OP_SPARSE_SWITCH: u8 = 0x2c;
const OP_IF_FIRST: u8 = 0x32;
const OP_IF_LAST: u8 = 0x3d;

/// Where an instruction may pass control besides the next one, and whether it falls through.
fn branch_targets(code: &Code<'_>, insn: &Insn<'_>, out: &mut Vec<u32>) -> bool {
    out.clear();
    let pc = i64::from(insn.pc);
    let at = |offset: i64| u32::try_from(pc.saturating_add(offset)).ok();
    match insn.opcode {
        OP_RETURN_VOID..=OP_RETURN_WIDE | OP_RETURN_OBJECT | OP_THROW => false,
        OP_GOTO => {
            let offset = i64::from(((insn.unit(0).unwrap_or_default() >> 8) as u8).cast_signed());
            out.extend(at(offset));
            false
        }
        OP_GOTO_16 => {
            out.extend(at(i64::from(
                insn.unit(1).unwrap_or_default().cast_signed(),
            )));
            false
        }
        OP_GOTO_32 => {
            out.extend(at(i64::from(
                u32_at(insn.raw, 2).unwrap_or_default().cast_signed(),
            )));
            false
        }
        OP_IF_FIRST..=OP_IF_LAST => {
            out.extend(at(i64::from(
                insn.unit(1).unwrap_or_default().cast_signed(),
            )));
            true
        }
        OP_PACKED_SWITCH | OP_SPARSE_SWITCH => {
            let payload = i64::from(u32_at(insn.raw, 2).unwrap_or_default().cast_signed());
            if let Some(payload_pc) = at(payload) {
                switch_targets(code, insn.opcode == OP_PACKED_SWITCH, payload_pc, |t| {
                    out.extend(at(i64::from(t)));
                });
            }
            true
        }
        _ => true,
    }
}

/// The relative targets of the switch payload at `payload_pc`.
fn switch_targets(code: &Code<'_>, packed: bool, payload_pc: u32, mut each: impl FnMut(i32)) {
    let Some(start) = usize::try_from(payload_pc)
        .ok()
        .and_then(|p| p.checked_mul(2))
    else {
        return;
    };
    let Some(payload) = code.insns.get(start..) else {
        return;
    };
    let size = usize::from(u16_at(payload, 2).unwrap_or_default());
    // packed: ident, size, first_key (4 bytes), targets; sparse: ident, size, keys, targets.
    let first = if packed {
        8
    } else {
        4usize.saturating_add(size.saturating_mul(4))
    };
    for i in 0..size {
        let Some(target) = i
            .checked_mul(4)
            .and_then(|o| o.checked_add(first))
            .and_then(|o| u32_at(payload, o))
        else {
            return;
        };
        each(target.cast_signed());
    }
}

/// The method's basic blocks, in address order.
fn blocks(code: &Code<'_>, insns: &[Insn<'_>]) -> Vec<Block> {
    let index_of: std::collections::HashMap<u32, usize> = insns
        .iter()
        .enumerate()
        .map(|(i, insn)| (insn.pc, i))
        .collect();
    let mut leader = vec![false; insns.len()];
    if let Some(first) = leader.first_mut() {
        *first = true;
    }
    let mut targets = Vec::new();
    for (i, insn) in insns.iter().enumerate() {
        let falls = branch_targets(code, insn, &mut targets);
        let branches = !targets.is_empty() || !falls;
        for t in &targets {
            if let Some(slot) = index_of.get(t).and_then(|&j| leader.get_mut(j)) {
                *slot = true;
            }
        }
        if branches && let Some(next) = leader.get_mut(i.saturating_add(1)) {
            *next = true;
        }
    }
    let starts: Vec<usize> = (0..insns.len())
        .filter(|&i| leader.get(i).copied().unwrap_or(false))
        .collect();
    let block_of: std::collections::HashMap<usize, usize> =
        starts.iter().enumerate().map(|(b, &i)| (i, b)).collect();
    let mut out = Vec::with_capacity(starts.len());
    for (b, &start) in starts.iter().enumerate() {
        let end = starts
            .get(b.saturating_add(1))
            .copied()
            .unwrap_or(insns.len());
        let mut successors = Vec::new();
        if let Some(last) = end.checked_sub(1).and_then(|l| insns.get(l)) {
            let falls = branch_targets(code, last, &mut targets);
            for t in &targets {
                if let Some(&block) = index_of.get(t).and_then(|j| block_of.get(j)) {
                    successors.push(block);
                }
            }
            if falls && end < insns.len() {
                successors.push(b.saturating_add(1));
            }
        }
        successors.sort_unstable();
        successors.dedup();
        out.push(Block {
            start,
            end,
            successors,
        });
    }
    out
}
