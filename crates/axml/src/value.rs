//! Typed attribute and resource values (`Res_value`).

use serde::Serialize;
use std::fmt;

/// `Res_value::TYPE_NULL`.
pub const TYPE_NULL: u8 = 0x00;
/// `Res_value::TYPE_REFERENCE`.
pub const TYPE_REFERENCE: u8 = 0x01;
/// `Res_value::TYPE_ATTRIBUTE`.
pub const TYPE_ATTRIBUTE: u8 = 0x02;
/// `Res_value::TYPE_STRING`.
pub const TYPE_STRING: u8 = 0x03;
/// `Res_value::TYPE_FLOAT`.
pub const TYPE_FLOAT: u8 = 0x04;
/// `Res_value::TYPE_DIMENSION`.
pub const TYPE_DIMENSION: u8 = 0x05;
/// `Res_value::TYPE_FRACTION`.
pub const TYPE_FRACTION: u8 = 0x06;
/// `Res_value::TYPE_DYNAMIC_REFERENCE` (shared-library reference).
pub const TYPE_DYNAMIC_REFERENCE: u8 = 0x07;
/// `Res_value::TYPE_DYNAMIC_ATTRIBUTE`.
pub const TYPE_DYNAMIC_ATTRIBUTE: u8 = 0x08;
/// `Res_value::TYPE_INT_DEC`.
pub const TYPE_INT_DEC: u8 = 0x10;
/// `Res_value::TYPE_INT_HEX`.
pub const TYPE_INT_HEX: u8 = 0x11;
/// `Res_value::TYPE_INT_BOOLEAN`.
pub const TYPE_INT_BOOLEAN: u8 = 0x12;
/// `Res_value::TYPE_INT_COLOR_ARGB8`.
pub const TYPE_INT_COLOR_ARGB8: u8 = 0x1c;
/// `Res_value::TYPE_INT_COLOR_RGB8`.
pub const TYPE_INT_COLOR_RGB8: u8 = 0x1d;
/// `Res_value::TYPE_INT_COLOR_ARGB4`.
pub const TYPE_INT_COLOR_ARGB4: u8 = 0x1e;
/// `Res_value::TYPE_INT_COLOR_RGB4`.
pub const TYPE_INT_COLOR_RGB4: u8 = 0x1f;
/// First and last integer types (`TYPE_FIRST_INT`..=`TYPE_LAST_INT`).
const FIRST_INT: u8 = 0x10;
const LAST_INT: u8 = 0x1f;
/// `TYPE_NULL` data meaning "explicitly empty" (`DATA_NULL_EMPTY`).
const DATA_NULL_EMPTY: u32 = 1;

/// Unit of a dimension value (`COMPLEX_UNIT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DimensionUnit {
    /// Pixels.
    Px,
    /// Density-independent pixels.
    Dp,
    /// Scaled pixels.
    Sp,
    /// Points.
    Pt,
    /// Inches.
    In,
    /// Millimetres.
    Mm,
    /// A unit code Android does not define.
    Unknown(u8),
}

/// Unit of a fraction value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FractionUnit {
    /// `%`: fraction of the item itself.
    Percent,
    /// `%p`: fraction of the parent.
    PercentParent,
}

/// Encoding of a color value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorKind {
    /// `#aarrggbb`.
    Argb8,
    /// `#rrggbb`.
    Rgb8,
    /// `#argb`.
    Argb4,
    /// `#rgb`.
    Rgb4,
}

/// A decoded `Res_value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// `TYPE_NULL` with data 0: undefined.
    Null,
    /// `TYPE_NULL` with `DATA_NULL_EMPTY`: explicitly empty.
    Empty,
    /// A string (from the string pool; empty when its index was out of range).
    String(String),
    /// `@0x7f040001`: a resource reference.
    Reference(u32),
    /// A reference into a shared library package (resolved at runtime).
    DynamicReference(u32),
    /// `?0x01010000`: a theme attribute reference.
    Attribute(u32),
    /// A decimal integer.
    IntDec(i32),
    /// A hexadecimal integer.
    IntHex(u32),
    /// A boolean (Android stores `true` as any non-zero data, usually `0xffffffff`).
    Bool(bool),
    /// A float.
    Float(f32),
    /// A dimension with its unit.
    Dimension {
        /// Magnitude.
        value: f32,
        /// Unit.
        unit: DimensionUnit,
    },
    /// A fraction (1.0 = 100%).
    Fraction {
        /// Magnitude (1.0 = 100%).
        value: f32,
        /// `%` or `%p`.
        unit: FractionUnit,
    },
    /// A color.
    Color {
        /// The ARGB value as stored.
        argb: u32,
        /// How it was written.
        kind: ColorKind,
    },
    /// Any other type code, kept as is.
    Other {
        /// `Res_value::dataType`.
        data_type: u8,
        /// `Res_value::data`.
        data: u32,
    },
}

/// Multipliers for `COMPLEX_RADIX_*` (mantissa bits below the radix point).
const RADIX_MULTS: [f32; 4] = [
    1.0 / 256.0,
    1.0 / 32768.0,
    1.0 / 8_388_608.0,
    1.0 / 2_147_483_648.0,
];

/// `Res_value::complexToFloat`.
#[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)] // bit-level decoding
fn complex_to_float(data: u32) -> f32 {
    let mantissa = (data & 0xffff_ff00) as i32;
    let radix = usize::try_from((data >> 4) & 3).unwrap_or(0);
    let mult = RADIX_MULTS.get(radix).copied().unwrap_or(1.0);
    mantissa as f32 * mult
}

impl Value {
    /// Decodes `(dataType, data)`; `string` resolves a `TYPE_STRING` index.
    #[allow(clippy::cast_possible_wrap)] // Res_value::data is reinterpreted as Android does
    pub fn from_raw(data_type: u8, data: u32, string: impl FnOnce(u32) -> Option<String>) -> Self {
        match data_type {
            TYPE_NULL if data == DATA_NULL_EMPTY => Value::Empty,
            TYPE_NULL => Value::Null,
            TYPE_REFERENCE => Value::Reference(data),
            TYPE_DYNAMIC_REFERENCE => Value::DynamicReference(data),
            TYPE_ATTRIBUTE | TYPE_DYNAMIC_ATTRIBUTE => Value::Attribute(data),
            TYPE_STRING => Value::String(string(data).unwrap_or_default()),
            TYPE_FLOAT => Value::Float(f32::from_bits(data)),
            TYPE_DIMENSION => {
                let unit = match data & 0xf {
                    0 => DimensionUnit::Px,
                    1 => DimensionUnit::Dp,
                    2 => DimensionUnit::Sp,
                    3 => DimensionUnit::Pt,
                    4 => DimensionUnit::In,
                    5 => DimensionUnit::Mm,
                    u => DimensionUnit::Unknown(u8::try_from(u).unwrap_or(0)),
                };
                Value::Dimension {
                    value: complex_to_float(data),
                    unit,
                }
            }
            TYPE_FRACTION => {
                let unit = if data & 0xf == 1 {
                    FractionUnit::PercentParent
                } else {
                    FractionUnit::Percent
                };
                Value::Fraction {
                    value: complex_to_float(data),
                    unit,
                }
            }
            TYPE_INT_DEC => Value::IntDec(data as i32),
            TYPE_INT_HEX => Value::IntHex(data),
            TYPE_INT_BOOLEAN => Value::Bool(data != 0),
            TYPE_INT_COLOR_ARGB8 => Value::Color {
                argb: data,
                kind: ColorKind::Argb8,
            },
            TYPE_INT_COLOR_RGB8 => Value::Color {
                argb: data,
                kind: ColorKind::Rgb8,
            },
            TYPE_INT_COLOR_ARGB4 => Value::Color {
                argb: data,
                kind: ColorKind::Argb4,
            },
            TYPE_INT_COLOR_RGB4 => Value::Color {
                argb: data,
                kind: ColorKind::Rgb4,
            },
            _ => Value::Other { data_type, data },
        }
    }

    /// The integer Android's `TypedArray.getInt` would return: integer types directly, strings
    /// through `XmlUtils.convertValueToInt` (decimal, `0x` hex, `#` hex, leading `-`).
    #[allow(clippy::cast_possible_wrap)] // Android reinterprets the 32 bits
    pub fn as_int(&self) -> Option<i32> {
        match self {
            Value::IntDec(v) => Some(*v),
            Value::IntHex(v) | Value::Color { argb: v, .. } => Some(*v as i32),
            Value::Bool(b) => Some(if *b { -1 } else { 0 }),
            Value::String(s) => convert_value_to_int(s),
            Value::Other { data_type, data } if (FIRST_INT..=LAST_INT).contains(data_type) => {
                Some(*data as i32)
            }
            _ => None,
        }
    }

    /// The boolean Android's `TypedArray.getBoolean` would return: integer types are
    /// non-zero, strings are `"1"`, `"true"` or `"TRUE"` (`XmlUtils.convertValueToBoolean`).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::IntDec(_) | Value::IntHex(_) | Value::Color { .. } => {
                self.as_int().map(|v| v != 0)
            }
            Value::Other { data_type, data } if (FIRST_INT..=LAST_INT).contains(data_type) => {
                Some(*data != 0)
            }
            Value::String(s) => Some(s == "1" || s == "true" || s == "TRUE"),
            _ => None,
        }
    }

    /// The string, for `Value::String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The resource ID, for references.
    pub fn as_reference(&self) -> Option<u32> {
        match self {
            Value::Reference(id) | Value::DynamicReference(id) => Some(*id),
            _ => None,
        }
    }
}

/// `com.android.internal.util.XmlUtils.convertValueToInt`.
fn convert_value_to_int(s: &str) -> Option<i32> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (digits, radix) =
        if let Some(h) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            (h, 16)
        } else if let Some(h) = rest.strip_prefix('#') {
            (h, 16)
        } else if rest.len() > 1 && rest.starts_with('0') {
            (rest.get(1..).unwrap_or(""), 8)
        } else {
            (rest, 10)
        };
    // Android parses as a long and narrows to int.
    let v = i64::from_str_radix(digits, radix).ok()?;
    let v = if neg { v.checked_neg()? } else { v };
    #[allow(clippy::cast_possible_truncation)] // Java's (int) narrowing
    Some(v as i32)
}

impl fmt::Display for Value {
    /// Renders like aapt/apktool: `@0x7f040001`, `?0x01010000`, `true`, `16.0dp`, `#ff00ff00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null | Value::Empty => Ok(()),
            Value::String(s) => f.write_str(s),
            Value::Reference(id) | Value::DynamicReference(id) => write!(f, "@0x{id:08x}"),
            Value::Attribute(id) => write!(f, "?0x{id:08x}"),
            Value::IntDec(v) => write!(f, "{v}"),
            Value::IntHex(v) => write!(f, "0x{v:x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Float(v) => write!(f, "{v:?}"),
            Value::Dimension { value, unit } => {
                let u = match unit {
                    DimensionUnit::Px => "px",
                    DimensionUnit::Dp => "dp",
                    DimensionUnit::Sp => "sp",
                    DimensionUnit::Pt => "pt",
                    DimensionUnit::In => "in",
                    DimensionUnit::Mm => "mm",
                    DimensionUnit::Unknown(_) => "",
                };
                write!(f, "{value:?}{u}")
            }
            Value::Fraction { value, unit } => {
                let u = if *unit == FractionUnit::PercentParent {
                    "%p"
                } else {
                    "%"
                };
                write!(f, "{:?}{u}", value * 100.0)
            }
            Value::Color { argb, kind } => match kind {
                ColorKind::Argb8 => write!(f, "#{argb:08x}"),
                ColorKind::Rgb8 => write!(f, "#{:06x}", argb & 0x00ff_ffff),
                ColorKind::Argb4 => write!(
                    f,
                    "#{:x}{:x}{:x}{:x}",
                    (argb >> 28) & 0xf,
                    (argb >> 20) & 0xf,
                    (argb >> 12) & 0xf,
                    (argb >> 4) & 0xf
                ),
                ColorKind::Rgb4 => {
                    write!(
                        f,
                        "#{:x}{:x}{:x}",
                        (argb >> 20) & 0xf,
                        (argb >> 12) & 0xf,
                        (argb >> 4) & 0xf
                    )
                }
            },
            Value::Other { data_type, data } => write!(f, "(type 0x{data_type:02x})0x{data:x}"),
        }
    }
}
