//! Decoding of JNI native-method symbol names (`Java_<class>_<method>[__<args>]`).
//!
//! The mangling is specified in the JNI specification, "Resolving Native Method Names"
//! (<https://docs.oracle.com/javase/8/docs/technotes/guides/jni/spec/design.html#resolving_native_method_names>):
//! `/` in the binary class name becomes `_`, and the characters that would be ambiguous are
//! escaped: `_1` is `_`, `_2` is `;`, `_3` is `[`, `_0xxxx` is the UTF-16 code unit `xxxx`
//! (lowercase hex). An overloaded method appends `__` and the mangled argument descriptors.

/// Prefix of every JNI native-method export.
pub const JNI_PREFIX: &str = "Java_";

/// Longest symbol the decoder accepts (bytes); longer names are not decoded.
pub const MAX_JNI_SYMBOL_LEN: usize = 4096;

/// A JNI export decoded back to the Java method it implements.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JniMethod {
    /// The exported symbol, as found in the dynamic symbol table.
    pub symbol: String,
    /// Fully qualified Java class name with dots (`com.example.Foo`; nested classes keep `$`).
    pub class: String,
    /// Method name (`bar`).
    pub method: String,
    /// For overloaded exports (`…__<args>`): the argument descriptors in JVM form, without
    /// parentheses (`Ljava/lang/String;I`); `None` for the short form.
    pub signature: Option<String>,
}

/// Decodes `Java_com_example_Foo_bar` into class `com.example.Foo`, method `bar`.
///
/// Returns `None` when the symbol is not a well-formed JNI name: no `Java_` prefix, an empty
/// class or method, an unknown or truncated escape, a lone surrogate, or a name longer than
/// [`MAX_JNI_SYMBOL_LEN`].
///
/// ```
/// let m = apkscope_native::decode_jni_name("Java_com_example_Foo_1Bar_baz__Ljava_lang_String_2I")
///     .unwrap();
/// assert_eq!(m.class, "com.example.Foo_Bar");
/// assert_eq!(m.method, "baz");
/// assert_eq!(m.signature.as_deref(), Some("Ljava/lang/String;I"));
/// ```
pub fn decode_jni_name(symbol: &str) -> Option<JniMethod> {
    if symbol.len() > MAX_JNI_SYMBOL_LEN {
        return None;
    }
    let body = symbol.strip_prefix(JNI_PREFIX)?;
    let (name_part, sig_part) = split_overload(body);
    let components = decode_components(name_part)?;
    let (method, class_parts) = components.split_last()?;
    if class_parts.is_empty() || method.is_empty() || class_parts.iter().any(String::is_empty) {
        return None;
    }
    let signature = match sig_part {
        Some(sig) => {
            let parts = decode_components(sig)?;
            // An argument-less overload (`…__`) is legal and decodes to an empty descriptor list.
            Some(parts.join("/"))
        }
        None => None,
    };
    Some(JniMethod {
        symbol: symbol.to_owned(),
        class: class_parts.join("."),
        method: method.clone(),
        signature,
    })
}

/// Splits at the first `__`: a literal `_` is always escaped as `_1`, so an unescaped double
/// underscore can only be the overload separator.
fn split_overload(body: &str) -> (&str, Option<&str>) {
    match body.find("__") {
        Some(pos) => {
            let name = body.get(..pos).unwrap_or(body);
            let sig = body.get(pos.saturating_add(2)..);
            (name, sig)
        }
        None => (body, None),
    }
}

/// Decodes a mangled run into its `/`-separated components, resolving escapes.
fn decode_components(mangled: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut current: Vec<u16> = Vec::new();
    let mut chars = mangled.chars();
    while let Some(c) = chars.next() {
        if c != '_' {
            let mut buf = [0u16; 2];
            current.extend_from_slice(c.encode_utf16(&mut buf));
            continue;
        }
        // Peek at the character after `_` without consuming a separator's successor.
        let rest = chars.as_str();
        match rest.chars().next() {
            Some('1') => {
                current.push(u16::from(b'_'));
                chars.next();
            }
            Some('2') => {
                current.push(u16::from(b';'));
                chars.next();
            }
            Some('3') => {
                current.push(u16::from(b'['));
                chars.next();
            }
            Some('0') => {
                let hex = rest.get(1..5)?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let unit = u16::from_str_radix(hex, 16).ok()?;
                current.push(unit);
                // Consume '0' and the four hex digits (all ASCII).
                chars = rest.get(5..)?.chars();
            }
            Some(d) if d.is_ascii_digit() => return None,
            _ => {
                parts.push(String::from_utf16(&current).ok()?);
                current.clear();
            }
        }
    }
    parts.push(String::from_utf16(&current).ok()?);
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<(String, String, Option<String>)> {
        decode_jni_name(s).map(|m| (m.class, m.method, m.signature))
    }

    #[test]
    fn simple() {
        assert_eq!(
            d("Java_com_example_Foo_bar"),
            Some(("com.example.Foo".into(), "bar".into(), None))
        );
        assert_eq!(
            d("Java_com_example_apkscope_demo_NativeBridge_collect"),
            Some((
                "com.example.apkscope.demo.NativeBridge".into(),
                "collect".into(),
                None
            ))
        );
        assert_eq!(d("Java_Foo_bar"), Some(("Foo".into(), "bar".into(), None)));
    }

    #[test]
    fn escapes() {
        assert_eq!(
            d("Java_com_my_1pkg_Foo_get_1value"),
            Some(("com.my_pkg.Foo".into(), "get_value".into(), None))
        );
        assert_eq!(
            d("Java_com_example_Outer_00024Inner_run"),
            Some(("com.example.Outer$Inner".into(), "run".into(), None))
        );
        assert_eq!(
            d("Java_p_C_caf_000e9"),
            Some(("p.C".into(), "caf\u{e9}".into(), None))
        );
        // uppercase hex is accepted too
        assert_eq!(d("Java_p_C_x_000E9").map(|t| t.1), Some("x\u{e9}".into()));
        // surrogate pair via two escapes
        assert_eq!(
            d("Java_p_C_m_0d83d_0de00").map(|t| t.1),
            Some("m\u{1F600}".into())
        );
    }

    #[test]
    fn overloads() {
        assert_eq!(
            d("Java_com_example_Foo_bar__Ljava_lang_String_2I"),
            Some((
                "com.example.Foo".into(),
                "bar".into(),
                Some("Ljava/lang/String;I".into())
            ))
        );
        assert_eq!(
            d("Java_p_C_m___3B_3Ljava_lang_Object_2"),
            Some((
                "p.C".into(),
                "m".into(),
                Some("[B[Ljava/lang/Object;".into())
            ))
        );
        assert_eq!(
            d("Java_p_C_m__"),
            Some(("p.C".into(), "m".into(), Some(String::new())))
        );
        assert_eq!(
            d("Java_p_C_m__Lmy_1pkg_T_2").map(|t| t.2),
            Some(Some("Lmy_pkg/T;".into()))
        );
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "Java_",
            "Java_Foo",
            "Java_Foo_",
            "Java__Foo_bar",
            "Java_Foo_bar_4x",
            "Java_Foo_bar_0",
            "Java_Foo_bar_0zzzz",
            "Java_Foo_bar_0d83d",
            "Java_Foo_bar__Lx_9",
            "JNI_OnLoad",
            "java_Foo_bar",
            "Java_Foo_b\u{e9}_0",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
        let long = format!("Java_a_{}", "b".repeat(MAX_JNI_SYMBOL_LEN));
        assert_eq!(d(&long), None);
    }

    #[test]
    fn keeps_symbol() {
        let m = decode_jni_name("Java_a_b").unwrap();
        assert_eq!(m.symbol, "Java_a_b");
    }
}
