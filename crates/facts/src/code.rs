//! The app's code index: classes, methods and what each method's bytecode references.
//!
//! The index is built by the engine from the dex parser's views, one [`DexCode`] per dex file
//! (in multidex order, then dex found elsewhere in the APK). It owns its data, keeps identities
//! as indices (a method is a [`MethodId`], not a string), and answers the questions later
//! analyses ask: who calls this API, who uses this string, what does this class extend.
//!
//! Reverse lookups (callee → call sites) are built lazily, once per dex, on the first query, so
//! a scan that asks nothing pays nothing for them.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// Identifies a method defined in the app: which dex, which entry of its [`DexCode::methods`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodId {
    /// Index into [`CodeIndex::dex`].
    pub dex: u32,
    /// Index into that dex's [`DexCode::methods`].
    pub method: u32,
}

/// Identifies a class defined in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassId {
    /// Index into [`CodeIndex::dex`].
    pub dex: u32,
    /// Index into that dex's [`DexCode::classes`].
    pub class: u32,
}

/// What one instruction references. The kind says which table [`CodeRef::index`] points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum CodeRefKind {
    /// `invoke-virtual` (and `/range`): a method reference.
    InvokeVirtual,
    /// `invoke-super`: a method reference.
    InvokeSuper,
    /// `invoke-direct`: a method reference.
    InvokeDirect,
    /// `invoke-static`: a method reference.
    InvokeStatic,
    /// `invoke-interface`: a method reference.
    InvokeInterface,
    /// `invoke-polymorphic`: a method reference (`MethodHandle.invoke*`).
    InvokePolymorphic,
    /// `invoke-custom`: a call-site index (lambdas, string concatenation).
    InvokeCustom,
    /// `iget*`: a field reference.
    FieldRead,
    /// `iput*`: a field reference.
    FieldWrite,
    /// `sget*`: a field reference.
    StaticFieldRead,
    /// `sput*`: a field reference.
    StaticFieldWrite,
    /// `const-string`, `const-string/jumbo`: a string index.
    ConstString,
    /// `const-class`: a type index.
    ConstClass,
    /// `new-instance`: a type index.
    NewInstance,
    /// `check-cast`, `instance-of`, `new-array`, `filled-new-array`: a type index.
    TypeUse,
    /// `const-method-handle`: a method-handle index.
    MethodHandle,
    /// `const-method-type`: a proto index.
    MethodType,
}

impl CodeRefKind {
    /// Whether the reference is a call through a method reference (every invoke but
    /// `invoke-custom`).
    pub fn is_method_call(self) -> bool {
        matches!(
            self,
            Self::InvokeVirtual
                | Self::InvokeSuper
                | Self::InvokeDirect
                | Self::InvokeStatic
                | Self::InvokeInterface
                | Self::InvokePolymorphic
        )
    }

    /// Whether the reference reads or writes a field.
    pub fn is_field_access(self) -> bool {
        matches!(
            self,
            Self::FieldRead | Self::FieldWrite | Self::StaticFieldRead | Self::StaticFieldWrite
        )
    }

    /// Whether the reference names a type.
    pub fn is_type_use(self) -> bool {
        matches!(self, Self::ConstClass | Self::NewInstance | Self::TypeUse)
    }

    /// The table [`CodeRef::index`] points into, so that one reverse index serves every kind.
    fn namespace(self) -> u64 {
        if self.is_method_call() {
            0
        } else if self.is_field_access() {
            1
        } else if self.is_type_use() {
            3
        } else {
            match self {
                Self::ConstString => 2,
                Self::InvokeCustom => 4,
                Self::MethodHandle => 5,
                _ => 6,
            }
        }
    }
}

/// One reference made by one instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRef {
    /// What kind of reference, and so which table `index` points into.
    pub kind: CodeRefKind,
    /// Index into the dex's method refs, field refs, strings, types, call sites, method handles
    /// or protos, by `kind`.
    pub index: u32,
    /// The instruction's offset in 16-bit code units from the start of the method's code.
    pub pc: u32,
}

/// All strings of one dex file, decoded once, in the file's (sorted) order.
#[derive(Debug, Clone, Default)]
pub struct StringTable {
    text: String,
    ends: Vec<usize>,
}

impl StringTable {
    /// An empty table with room for `count` strings of `bytes` total.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        }
    }

    /// Appends the next string.
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    /// The string at `index`.
    pub fn get(&self, index: u32) -> Option<&str> {
        let index = usize::try_from(index).ok()?;
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        self.text.get(start..end)
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the table has no strings.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len()).filter_map(|i| u32::try_from(i).ok().and_then(|i| self.get(i)))
    }
}

/// A method prototype: return type and parameter types (type indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Proto {
    /// Return type (type index).
    pub return_type: u32,
    /// Start of the parameters in [`DexCode::proto_params`].
    pub params_start: u32,
    /// Number of parameters.
    pub params_len: u32,
}

/// A method or field reference: `class->name` plus a prototype (methods) or a type (fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct MemberRef {
    /// Declaring class (type index).
    pub class: u32,
    /// Name (string index).
    pub name: u32,
    /// Prototype (proto index) for methods, type (type index) for fields.
    pub descriptor: u32,
}

/// A class defined in a dex file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClassRecord {
    /// The class (type index).
    pub type_idx: u32,
    /// Access flags as in the dex (`ACC_PUBLIC` 0x1, `ACC_INTERFACE` 0x200 …).
    pub access_flags: u32,
    /// Superclass (type index), `None` for `java.lang.Object`.
    pub superclass: Option<u32>,
    /// Start of the implemented interfaces in [`DexCode::class_interfaces`].
    pub interfaces_start: u32,
    /// Number of implemented interfaces.
    pub interfaces_len: u32,
    /// Source file name (string index), when the compiler kept it.
    pub source_file: Option<u32>,
    /// Start of the class's methods in [`DexCode::methods`]: direct methods, then virtual.
    pub methods_start: u32,
    /// Number of direct methods (constructors, static and private methods).
    pub direct_methods: u32,
    /// Number of virtual methods.
    pub virtual_methods: u32,
}

/// A method defined in a dex file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MethodRecord {
    /// The defining class (index into [`DexCode::classes`]).
    pub class: u32,
    /// The method's own reference (index into [`DexCode::method_refs`]).
    pub method_ref: u32,
    /// Access flags.
    pub access_flags: u32,
    /// Size of the bytecode in 16-bit code units; 0 for abstract and native methods.
    pub code_units: u32,
    /// Start of the method's references in [`DexCode::refs`].
    pub refs_start: u32,
    /// Number of references.
    pub refs_len: u32,
}

/// The code of one dex file.
#[derive(Debug, Default)]
pub struct DexCode {
    /// Where the dex is: an APK entry (`classes2.dex`), or `outer!inner` for nested archives.
    pub entry: String,
    /// Every string of the dex.
    pub strings: StringTable,
    /// Type index → string index of its descriptor.
    pub types: Vec<u32>,
    /// Prototypes.
    pub protos: Vec<Proto>,
    /// Parameter lists of [`Self::protos`] (type indices).
    pub proto_params: Vec<u32>,
    /// Method references (`method_ids`).
    pub method_refs: Vec<MemberRef>,
    /// Field references (`field_ids`).
    pub field_refs: Vec<MemberRef>,
    /// Classes defined here.
    pub classes: Vec<ClassRecord>,
    /// Interface lists of [`Self::classes`] (type indices).
    pub class_interfaces: Vec<u32>,
    /// Methods defined here, grouped by class.
    pub methods: Vec<MethodRecord>,
    /// References made by the methods' code, grouped by method.
    pub refs: Vec<CodeRef>,
    /// Whether strings, types and method refs are in the sorted order the format requires, so
    /// lookups can binary-search. ART refuses unsorted tables; lookups fall back to scanning.
    pub sorted: bool,
    /// Calls of the pack's `[[behaviour_api]]`s with their argument rebuilt, in method order.
    pub value_sites: Vec<ValueSite>,
    /// Constant string arrays stored in static fields by class initialisers
    /// (`static final String[] PERMISSIONS = {…}`), so a site passing the field finds them.
    pub static_arrays: Vec<StaticArray>,
    /// Integer constants returned by `onStartCommand` methods: `(method, value)`, where
    /// `method` indexes [`Self::methods`].
    pub start_command_returns: Vec<(u32, i64)>,
    /// Texts read for the rule pack's SDK version sources (`field` and `method` sources):
    /// (position in the pack's version sources, the constant string).
    pub version_texts: Vec<(u32, String)>,
    reverse: OnceLock<ReverseIndex>,
}

/// A call of a `[[behaviour_api]]` whose argument the collector rebuilt from the calling
/// method's constants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueSite {
    /// The calling method (index into [`DexCode::methods`]).
    pub method: u32,
    /// Address of the call in the method's code.
    pub pc: u32,
    /// Index of the API in the pack's `behaviour_apis()`.
    pub api: u32,
    /// The method reference called (index into [`DexCode::method_refs`]).
    pub callee: u32,
    /// What the argument holds.
    pub value: ArgValue,
    /// The call that made the receiver (a method reference), for chained builders
    /// (`XXPermissions.with(this).permission(…)`): calls sharing it build one request.
    pub receiver_from: Option<u32>,
}

/// The rebuilt value of an argument.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ArgValue {
    /// Nothing known.
    #[default]
    Unknown,
    /// Constant strings: one string, or the elements of an array or list of them.
    Strings {
        /// The constants, in order.
        values: Vec<String>,
        /// Every element was a constant (no unknown element, array not cut).
        complete: bool,
    },
    /// The value of a static field (its signature), to look up in [`DexCode::static_arrays`]
    /// of every dex.
    StaticField(String),
    /// An `Intent`, `ComponentName`, `IntentFilter` or `Uri` built in the method.
    Intent(IntentValue),
    /// A value computed at run time (a parameter, a field, a call's result).
    Runtime,
}

/// What an `Intent` (or `IntentFilter`, `Uri`) built in a method says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IntentValue {
    /// The actions (`new Intent(action)`, `setAction`, `IntentFilter.addAction`).
    pub actions: Vec<String>,
    /// The target package, if the intent names one.
    pub package: Option<TargetPackage>,
    /// The target class name, if the intent names one.
    pub class: Option<String>,
    /// The data URI (`setData`, a `Uri.parse` constant), or the `Uri` itself.
    pub uri: Option<String>,
}

/// Where an intent's target package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetPackage {
    /// A constant package name.
    Constant(String),
    /// The app itself (`getPackageName()`, a `Context` and class, a class literal).
    Own,
    /// Read from the results of an installed-app query (the API's name:
    /// `getInstalledPackages`, `queryIntentServices`…).
    InstalledApps(String),
    /// Read from an element of a list or iterator at run time (a loop over targets from a
    /// parameter, a field or server data).
    FromList,
    /// Another value known only at run time (a parameter, a field, server data).
    Runtime,
}

/// A constant string array stored in a static field by a class initialiser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticArray {
    /// The field's signature (`Lcls;->name:type`).
    pub field: String,
    /// The constants, in order.
    pub values: Vec<String>,
}

/// (namespace << 32 | index) → sites, sorted by key.
#[derive(Debug, Default)]
struct ReverseIndex {
    keys: Vec<u64>,
    sites: Vec<(u32, u32)>,
}

impl DexCode {
    /// Bytes this dex's tables hold on the heap (capacity, not length), plus what the reverse
    /// index built on the first query will hold: what a memory budget charges for it.
    pub fn heap_bytes(&self) -> u64 {
        fn bytes<T>(v: &Vec<T>) -> u64 {
            u64::try_from(v.capacity().saturating_mul(size_of::<T>())).unwrap_or(u64::MAX)
        }
        let strings = u64::try_from(self.strings.text.capacity())
            .unwrap_or(u64::MAX)
            .saturating_add(bytes(&self.strings.ends));
        [
            strings,
            u64::try_from(self.entry.capacity()).unwrap_or(u64::MAX),
            bytes(&self.types),
            bytes(&self.protos),
            bytes(&self.proto_params),
            bytes(&self.method_refs),
            bytes(&self.field_refs),
            bytes(&self.classes),
            bytes(&self.class_interfaces),
            bytes(&self.methods),
            bytes(&self.refs),
            bytes(&self.value_sites),
            bytes(&self.static_arrays),
            bytes(&self.start_command_returns),
            bytes(&self.version_texts),
            self.reverse_index_bytes(),
        ]
        .into_iter()
        .fold(0u64, u64::saturating_add)
    }

    /// What the reverse index (site lookups) holds once built: a key and a site per reference,
    /// and the sorting buffer while it is built.
    pub fn reverse_index_bytes(&self) -> u64 {
        const PER_REFERENCE: usize =
            size_of::<(u64, u32, u32)>() + size_of::<u64>() + size_of::<(u32, u32)>();
        u64::try_from(self.refs.len().saturating_mul(PER_REFERENCE)).unwrap_or(u64::MAX)
    }

    /// The string at `index`.
    pub fn string(&self, index: u32) -> Option<&str> {
        self.strings.get(index)
    }

    /// The descriptor of type `index`, e.g. `Ljava/lang/String;`.
    pub fn type_descriptor(&self, index: u32) -> Option<&str> {
        self.string(*self.types.get(usize::try_from(index).ok()?)?)
    }

    /// Prototype `index` rendered as `(Ljava/lang/String;I)V`.
    pub fn proto_string(&self, index: u32) -> Option<String> {
        let proto = self.protos.get(usize::try_from(index).ok()?)?;
        let start = usize::try_from(proto.params_start).ok()?;
        let end = start.checked_add(usize::try_from(proto.params_len).ok()?)?;
        let mut out = String::from("(");
        for &param in self.proto_params.get(start..end)? {
            out.push_str(self.type_descriptor(param)?);
        }
        out.push(')');
        out.push_str(self.type_descriptor(proto.return_type)?);
        Some(out)
    }

    /// Method reference `index` in smali form: `Lcom/a/B;->name(I)V`.
    pub fn method_ref_string(&self, index: u32) -> Option<String> {
        let m = self.method_refs.get(usize::try_from(index).ok()?)?;
        let mut out = String::new();
        let _ = write!(
            out,
            "{}->{}{}",
            self.type_descriptor(m.class)?,
            self.string(m.name)?,
            self.proto_string(m.descriptor)?
        );
        Some(out)
    }

    /// Field reference `index` in smali form: `Lcom/a/B;->name:I`.
    pub fn field_ref_string(&self, index: u32) -> Option<String> {
        let f = self.field_refs.get(usize::try_from(index).ok()?)?;
        Some(format!(
            "{}->{}:{}",
            self.type_descriptor(f.class)?,
            self.string(f.name)?,
            self.type_descriptor(f.descriptor)?
        ))
    }

    /// The references made by method `method` of this dex.
    pub fn method_refs_of(&self, method: u32) -> &[CodeRef] {
        let Some(m) = usize::try_from(method)
            .ok()
            .and_then(|i| self.methods.get(i))
        else {
            return &[];
        };
        let start = usize::try_from(m.refs_start).unwrap_or(usize::MAX);
        let len = usize::try_from(m.refs_len).unwrap_or(0);
        start
            .checked_add(len)
            .and_then(|end| self.refs.get(start..end))
            .unwrap_or(&[])
    }

    /// The index of string `s`, if the dex has it.
    pub fn find_string(&self, s: &str) -> Option<u32> {
        let found = if self.sorted {
            binary_search_by(self.strings.len(), |i| {
                self.strings.get(i).unwrap_or("").cmp(s)
            })
        } else {
            self.strings.iter().position(|t| t == s)
        };
        found.and_then(|i| u32::try_from(i).ok())
    }

    /// Indices of the strings that start with `prefix`.
    pub fn strings_with_prefix(&self, prefix: &str) -> Vec<u32> {
        let matching = |i: u32| self.strings.get(i).is_some_and(|s| s.starts_with(prefix));
        let len = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        if self.sorted {
            // Sorted strings put every extension of `prefix` in one run starting at its lower
            // bound.
            let (mut lo, mut hi) = (0u32, len);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if utf16_cmp(self.strings.get(mid).unwrap_or(""), prefix).is_lt() {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            (lo..len).take_while(|&i| matching(i)).collect()
        } else {
            (0..len).filter(|&i| matching(i)).collect()
        }
    }

    /// Every site of `const-string` string `index` (methods and offsets).
    pub fn string_sites_of(&self, index: u32) -> Vec<(u32, u32)> {
        self.sites(CodeRefKind::ConstString, index).to_vec()
    }

    /// The index of the type with descriptor `descriptor`, if the dex has it.
    pub fn find_type(&self, descriptor: &str) -> Option<u32> {
        let string = self.find_string(descriptor)?;
        let found = if self.sorted {
            binary_search_by(self.types.len(), |i| {
                self.types
                    .get(usize::try_from(i).unwrap_or(usize::MAX))
                    .cmp(&Some(&string))
            })
        } else {
            self.types.iter().position(|&t| t == string)
        };
        found.and_then(|i| u32::try_from(i).ok())
    }

    /// The index of the method reference `signature` (`Lcls;->name(params)ret`), if the dex
    /// references or defines it.
    pub fn find_method_ref(&self, signature: &str) -> Option<u32> {
        let (class, name, proto) = split_method_signature(signature)?;
        let class = self.find_type(class)?;
        let name = self.find_string(name)?;
        self.members_named(&self.method_refs, class, name)
            .find(|&i| {
                self.method_refs
                    .get(i)
                    .and_then(|m| self.proto_string(m.descriptor))
                    .is_some_and(|p| p == proto)
            })
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The index of the field reference `signature` (`Lcls;->name:Type`), if the dex has it.
    pub fn find_field_ref(&self, signature: &str) -> Option<u32> {
        let (class, rest) = signature.split_once("->")?;
        let (name, ty) = rest.split_once(':')?;
        let class = self.find_type(class)?;
        let name = self.find_string(name)?;
        let ty = self.find_type(ty)?;
        self.members_named(&self.field_refs, class, name)
            .find(|&i| self.field_refs.get(i).is_some_and(|f| f.descriptor == ty))
            .and_then(|i| u32::try_from(i).ok())
    }

    /// Indices of the members of `table` with this class and name.
    fn members_named<'s>(
        &'s self,
        table: &'s [MemberRef],
        class: u32,
        name: u32,
    ) -> Box<dyn Iterator<Item = usize> + 's> {
        if self.sorted {
            let start = table.partition_point(|m| (m.class, m.name) < (class, name));
            let end = table.partition_point(|m| (m.class, m.name) <= (class, name));
            Box::new(start..end.max(start))
        } else {
            Box::new(
                table
                    .iter()
                    .enumerate()
                    .filter(move |(_, m)| m.class == class && m.name == name)
                    .map(|(i, _)| i),
            )
        }
    }

    /// Builds the reverse index now rather than on the first query (so that a caller can build
    /// the indexes of several dex files in parallel).
    pub fn prepare_queries(&self) {
        let _ = self.reverse.get_or_init(|| self.build_reverse());
    }

    /// Sites (method, pc) whose reference of `kind`'s table is `index`.
    fn sites(&self, namespace_of: CodeRefKind, index: u32) -> &[(u32, u32)] {
        let reverse = self.reverse.get_or_init(|| self.build_reverse());
        let key = namespace_of.namespace() << 32 | u64::from(index);
        let start = reverse.keys.partition_point(|&k| k < key);
        let end = reverse.keys.partition_point(|&k| k <= key);
        reverse.sites.get(start..end).unwrap_or(&[])
    }

    fn build_reverse(&self) -> ReverseIndex {
        let mut entries: Vec<(u64, u32, u32)> = Vec::with_capacity(self.refs.len());
        for (method, record) in self.methods.iter().enumerate() {
            let Ok(method) = u32::try_from(method) else {
                break;
            };
            let start = usize::try_from(record.refs_start).unwrap_or(usize::MAX);
            let len = usize::try_from(record.refs_len).unwrap_or(0);
            let Some(refs) = start
                .checked_add(len)
                .and_then(|end| self.refs.get(start..end))
            else {
                continue;
            };
            for r in refs {
                entries.push((r.kind.namespace() << 32 | u64::from(r.index), method, r.pc));
            }
        }
        entries.sort_unstable();
        ReverseIndex {
            keys: entries.iter().map(|e| e.0).collect(),
            sites: entries.iter().map(|e| (e.1, e.2)).collect(),
        }
    }
}

/// Orders strings as the dex format sorts them: by UTF-16 code units (which differs from UTF-8
/// order when characters above U+FFFF meet characters in U+E000..U+FFFF).
fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Splits `Lcls;->name(params)ret` into its three parts.
pub fn split_method_signature(signature: &str) -> Option<(&str, &str, &str)> {
    let (class, rest) = signature.split_once("->")?;
    let paren = rest.find('(')?;
    Some((class, rest.get(..paren)?, rest.get(paren..)?))
}

/// Binary search over `len` items by a comparison against the target.
fn binary_search_by(len: usize, cmp: impl Fn(u32) -> std::cmp::Ordering) -> Option<usize> {
    let (mut lo, mut hi) = (0usize, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match cmp(u32::try_from(mid).ok()?) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// Where code references something: the method, the instruction, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    /// The method whose code makes the reference.
    pub method: MethodId,
    /// The instruction's offset in code units.
    pub pc: u32,
}

/// The code index of one app.
#[derive(Debug, Default)]
pub struct CodeIndex {
    /// One entry per parsed dex file: `classes*.dex` in multidex order, then the rest.
    pub dex: Vec<DexCode>,
    classes_by_descriptor: OnceLock<HashMap<String, ClassId>>,
}

impl CodeIndex {
    /// An index over `dex`, in class-loading order.
    pub fn new(dex: Vec<DexCode>) -> Self {
        Self {
            dex,
            classes_by_descriptor: OnceLock::new(),
        }
    }

    /// Every class definition, in dex order (a class defined twice appears twice).
    pub fn classes(&self) -> impl Iterator<Item = ClassId> + '_ {
        self.dex.iter().zip(0u32..).flat_map(|(d, dex)| {
            (0u32..)
                .take(d.classes.len())
                .map(move |class| ClassId { dex, class })
        })
    }

    /// The dex a class or method lives in.
    pub fn dex_of(&self, dex: u32) -> Option<&DexCode> {
        self.dex.get(usize::try_from(dex).ok()?)
    }

    /// The record of class `id`.
    pub fn class_record(&self, id: ClassId) -> Option<&ClassRecord> {
        self.dex_of(id.dex)?
            .classes
            .get(usize::try_from(id.class).ok()?)
    }

    /// The descriptor of class `id`, e.g. `Lcom/example/Foo;`.
    pub fn class_descriptor(&self, id: ClassId) -> Option<&str> {
        self.dex_of(id.dex)?
            .type_descriptor(self.class_record(id)?.type_idx)
    }

    /// The record of method `id`.
    pub fn method_record(&self, id: MethodId) -> Option<&MethodRecord> {
        self.dex_of(id.dex)?
            .methods
            .get(usize::try_from(id.method).ok()?)
    }

    /// The signature of method `id`: `Lcom/a/B;->name(I)V`.
    pub fn method_signature(&self, id: MethodId) -> Option<String> {
        self.dex_of(id.dex)?
            .method_ref_string(self.method_record(id)?.method_ref)
    }

    /// The class ART would load for `descriptor`: the first definition in dex order.
    pub fn class(&self, descriptor: &str) -> Option<ClassId> {
        self.class_map().get(descriptor).copied()
    }

    fn class_map(&self) -> &HashMap<String, ClassId> {
        self.classes_by_descriptor.get_or_init(|| {
            let mut map = HashMap::new();
            for id in self.classes() {
                if let Some(descriptor) = self.class_descriptor(id) {
                    map.entry(descriptor.to_owned()).or_insert(id);
                }
            }
            map
        })
    }

    /// Every call site of the method `signature` (`Lcls;->name(params)ret`), over all invoke
    /// kinds, in dex order.
    pub fn call_sites(&self, signature: &str) -> Vec<Site> {
        self.sites_by(|d| d.find_method_ref(signature), CodeRefKind::InvokeVirtual)
    }

    /// Every read or write of the field `signature` (`Lcls;->name:Type`).
    pub fn field_sites(&self, signature: &str) -> Vec<Site> {
        self.sites_by(|d| d.find_field_ref(signature), CodeRefKind::FieldRead)
    }

    /// Whether any dex holds the string `text` (in its string table, whatever uses it): a
    /// binary search per dex, no reverse index.
    pub fn has_string(&self, text: &str) -> bool {
        self.dex.iter().any(|d| d.find_string(text).is_some())
    }

    /// Every `const-string` of exactly `text`.
    pub fn string_sites(&self, text: &str) -> Vec<Site> {
        self.sites_by(|d| d.find_string(text), CodeRefKind::ConstString)
    }

    /// Every use of the type `descriptor` (`const-class`, `new-instance`, casts, arrays).
    pub fn type_sites(&self, descriptor: &str) -> Vec<Site> {
        self.sites_by(|d| d.find_type(descriptor), CodeRefKind::ConstClass)
    }

    /// The methods (each once) whose code references `text` with `const-string`.
    pub fn methods_referencing_string(&self, text: &str) -> Vec<MethodId> {
        let mut methods: Vec<MethodId> = self.string_sites(text).iter().map(|s| s.method).collect();
        methods.dedup();
        methods
    }

    fn sites_by(&self, find: impl Fn(&DexCode) -> Option<u32>, kind: CodeRefKind) -> Vec<Site> {
        let mut out = Vec::new();
        for (d, dex) in self.dex.iter().zip(0u32..) {
            let Some(index) = find(d) else { continue };
            out.extend(d.sites(kind, index).iter().map(|&(method, pc)| Site {
                method: MethodId { dex, method },
                pc,
            }));
        }
        out
    }

    /// The superclass descriptors of `descriptor`, nearest first, as far as the app defines
    /// them: the chain ends with the first ancestor the app does not define (usually a
    /// framework class such as `Landroid/app/Activity;`). Stops on a cycle.
    pub fn superclass_chain(&self, descriptor: &str) -> Vec<String> {
        let mut chain: Vec<String> = Vec::new();
        let mut current = self.class(descriptor);
        while let Some(id) = current {
            let Some(dex) = self.dex_of(id.dex) else {
                break;
            };
            let Some(superclass) = self
                .class_record(id)
                .and_then(|c| c.superclass)
                .and_then(|t| dex.type_descriptor(t))
            else {
                break;
            };
            if superclass == descriptor || chain.iter().any(|c| c == superclass) {
                break;
            }
            chain.push(superclass.to_owned());
            current = self.class(superclass);
        }
        chain
    }

    /// Classes the app loads (first definitions) whose direct superclass is `descriptor`.
    pub fn subclasses(&self, descriptor: &str) -> Vec<ClassId> {
        self.loaded_classes_where(|dex, class| {
            class.superclass.and_then(|t| dex.type_descriptor(t)) == Some(descriptor)
        })
    }

    /// Classes the app loads that implement the interface `descriptor` directly or through an
    /// ancestor or super-interface the app defines.
    pub fn implementors(&self, descriptor: &str) -> Vec<ClassId> {
        let mut out = Vec::new();
        for id in self.loaded_classes() {
            if self.implements(id, descriptor) {
                out.push(id);
            }
        }
        out
    }

    fn implements(&self, id: ClassId, interface: &str) -> bool {
        // Walk the app-defined ancestry; a bounded worklist instead of recursion.
        let mut work = vec![id];
        let mut seen = 0usize;
        while let Some(id) = work.pop() {
            seen += 1;
            if seen > 4096 {
                return false;
            }
            let (Some(dex), Some(class)) = (self.dex_of(id.dex), self.class_record(id)) else {
                continue;
            };
            let mut parents: Vec<&str> = interfaces_of(dex, class).collect();
            if let Some(superclass) = class.superclass.and_then(|t| dex.type_descriptor(t)) {
                parents.push(superclass);
            }
            for parent in parents {
                if parent == interface {
                    return true;
                }
                if let Some(next) = self.class(parent) {
                    work.push(next);
                }
            }
        }
        false
    }

    /// Methods of app classes that override `signature` (same name and prototype, in a class
    /// whose app-defined ancestry includes the declaring class, or that implements it when it
    /// is an interface).
    pub fn overriders(&self, signature: &str) -> Vec<MethodId> {
        let Some((class, name, proto)) = split_method_signature(signature) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for id in self.loaded_classes() {
            let Some(descriptor) = self.class_descriptor(id) else {
                continue;
            };
            if descriptor == class {
                continue;
            }
            let inherits = self.superclass_chain(descriptor).iter().any(|c| c == class)
                || self.implements(id, class);
            if !inherits {
                continue;
            }
            let (Some(dex), Some(record)) = (self.dex_of(id.dex), self.class_record(id)) else {
                continue;
            };
            let start = record.methods_start;
            let count = record.direct_methods.saturating_add(record.virtual_methods);
            for method in start..start.saturating_add(count) {
                let Some(m) = dex
                    .methods
                    .get(usize::try_from(method).unwrap_or(usize::MAX))
                else {
                    continue;
                };
                let Some(mref) = dex
                    .method_refs
                    .get(usize::try_from(m.method_ref).unwrap_or(usize::MAX))
                else {
                    continue;
                };
                if dex.string(mref.name) == Some(name)
                    && dex.proto_string(mref.descriptor).as_deref() == Some(proto)
                {
                    out.push(MethodId {
                        dex: id.dex,
                        method,
                    });
                }
            }
        }
        out
    }

    /// First definitions only, as ART loads them.
    fn loaded_classes(&self) -> impl Iterator<Item = ClassId> + '_ {
        self.classes()
            .filter(|&id| self.class_descriptor(id).and_then(|d| self.class(d)) == Some(id))
    }

    fn loaded_classes_where(&self, pred: impl Fn(&DexCode, &ClassRecord) -> bool) -> Vec<ClassId> {
        self.loaded_classes()
            .filter(|&id| match (self.dex_of(id.dex), self.class_record(id)) {
                (Some(dex), Some(class)) => pred(dex, class),
                _ => false,
            })
            .collect()
    }
}

fn interfaces_of<'d>(dex: &'d DexCode, class: &ClassRecord) -> impl Iterator<Item = &'d str> + 'd {
    let start = usize::try_from(class.interfaces_start).unwrap_or(usize::MAX);
    let len = usize::try_from(class.interfaces_len).unwrap_or(0);
    start
        .checked_add(len)
        .and_then(|end| dex.class_interfaces.get(start..end))
        .unwrap_or(&[])
        .iter()
        .filter_map(|&t| dex.type_descriptor(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dex with `Lapp/Main;` (extends `Landroid/app/Activity;`, implements `Lapp/Iface;`)
    /// whose `onCreate` calls `TelephonyManager.getDeviceId()` and loads the string
    /// `"android_id"`, and `Lapp/Sub;` extending `Lapp/Main;` and overriding `onCreate`.
    #[allow(clippy::too_many_lines)] // a literal dex, table by table
    fn sample() -> CodeIndex {
        let mut d = DexCode {
            entry: "classes.dex".into(),
            sorted: true,
            ..DexCode::default()
        };
        // Sorted strings, as the format requires.
        for s in [
            "()Ljava/lang/String;", // 0 (shorty stand-in, unused)
            "Landroid/app/Activity;",
            "Landroid/telephony/TelephonyManager;",
            "Lapp/Iface;",
            "Lapp/Main;",
            "Lapp/Sub;",
            "Ljava/lang/String;",
            "V",
            "android_id",
            "getDeviceId",
            "onCreate",
        ] {
            d.strings.push(s);
        }
        // Types sorted by string index: Activity, TelephonyManager, Iface, Main, Sub, String, V.
        d.types = vec![1, 2, 3, 4, 5, 6, 7];
        // Protos: 0 = ()Ljava/lang/String;  1 = ()V
        d.protos = vec![
            Proto {
                return_type: 5,
                params_start: 0,
                params_len: 0,
            },
            Proto {
                return_type: 6,
                params_start: 0,
                params_len: 0,
            },
        ];
        // Method refs sorted by (class, name, proto).
        d.method_refs = vec![
            MemberRef {
                class: 1,
                name: 9,
                descriptor: 0,
            }, // TelephonyManager->getDeviceId
            MemberRef {
                class: 3,
                name: 10,
                descriptor: 1,
            }, // Main->onCreate
            MemberRef {
                class: 4,
                name: 10,
                descriptor: 1,
            }, // Sub->onCreate
        ];
        d.class_interfaces = vec![2];
        d.classes = vec![
            ClassRecord {
                type_idx: 3,
                superclass: Some(0),
                interfaces_start: 0,
                interfaces_len: 1,
                methods_start: 0,
                virtual_methods: 1,
                ..ClassRecord::default()
            },
            ClassRecord {
                type_idx: 4,
                superclass: Some(3),
                methods_start: 1,
                virtual_methods: 1,
                ..ClassRecord::default()
            },
        ];
        d.methods = vec![
            MethodRecord {
                class: 0,
                method_ref: 1,
                code_units: 8,
                refs_start: 0,
                refs_len: 2,
                ..MethodRecord::default()
            },
            MethodRecord {
                class: 1,
                method_ref: 2,
                code_units: 4,
                refs_start: 2,
                refs_len: 1,
                ..MethodRecord::default()
            },
        ];
        d.refs = vec![
            CodeRef {
                kind: CodeRefKind::InvokeVirtual,
                index: 0,
                pc: 2,
            },
            CodeRef {
                kind: CodeRefKind::ConstString,
                index: 8,
                pc: 5,
            },
            CodeRef {
                kind: CodeRefKind::InvokeSuper,
                index: 1,
                pc: 0,
            },
        ];
        CodeIndex::new(vec![d])
    }

    const GET_DEVICE_ID: &str =
        "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;";

    #[test]
    fn finds_call_sites_of_an_api() {
        let index = sample();
        let sites = index.call_sites(GET_DEVICE_ID);
        assert_eq!(
            sites,
            vec![Site {
                method: MethodId { dex: 0, method: 0 },
                pc: 2
            }]
        );
        assert_eq!(
            index.method_signature(sites[0].method).unwrap(),
            "Lapp/Main;->onCreate()V"
        );
        assert!(
            index
                .call_sites("Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;")
                .is_empty()
        );
        assert!(index.call_sites("not a signature").is_empty());
    }

    #[test]
    fn finds_methods_by_string() {
        let index = sample();
        assert_eq!(
            index.methods_referencing_string("android_id"),
            vec![MethodId { dex: 0, method: 0 }]
        );
        assert!(index.methods_referencing_string("android").is_empty());
    }

    #[test]
    fn unsorted_tables_fall_back_to_scanning() {
        let mut index = sample();
        index.dex[0].sorted = false;
        assert_eq!(index.call_sites(GET_DEVICE_ID).len(), 1);
        assert_eq!(index.methods_referencing_string("android_id").len(), 1);
    }

    #[test]
    fn class_hierarchy_queries() {
        let index = sample();
        assert_eq!(
            index.superclass_chain("Lapp/Sub;"),
            vec!["Lapp/Main;", "Landroid/app/Activity;"]
        );
        let main = index.class("Lapp/Main;").unwrap();
        let sub = index.class("Lapp/Sub;").unwrap();
        assert_eq!(index.subclasses("Lapp/Main;"), vec![sub]);
        assert_eq!(index.implementors("Lapp/Iface;"), vec![main, sub]);
        assert_eq!(
            index.overriders("Lapp/Main;->onCreate()V"),
            vec![MethodId { dex: 0, method: 1 }]
        );
        assert_eq!(
            index
                .overriders("Landroid/app/Activity;->onCreate()V")
                .len(),
            2
        );
    }

    #[test]
    fn out_of_range_ids_are_none_not_panics() {
        let index = sample();
        assert!(
            index
                .method_signature(MethodId { dex: 7, method: 0 })
                .is_none()
        );
        assert!(
            index
                .class_descriptor(ClassId { dex: 0, class: 99 })
                .is_none()
        );
        assert!(index.dex[0].method_refs_of(42).is_empty());
        assert!(index.dex[0].proto_string(9).is_none());
    }
}
