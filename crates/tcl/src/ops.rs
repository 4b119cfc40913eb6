//! TEMPORARY stub of expr operator semantics; replaced by the full version.

use crate::error::Exception;
use crate::value::{Number, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    StrEq,
    StrNe,
    StrLt,
    StrGt,
    StrLe,
    StrGe,
    In,
    Ni,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    BitNot,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Pow => "**",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            Eq => "==",
            Ne => "!=",
            StrEq => "eq",
            StrNe => "ne",
            StrLt => "lt",
            StrGt => "gt",
            StrLe => "le",
            StrGe => "ge",
            In => "in",
            Ni => "ni",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            Shl => "<<",
            Shr => ">>",
        }
    }
}
impl UnOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Plus => "+",
            UnOp::Not => "!",
            UnOp::BitNot => "~",
        }
    }
}

fn num(v: &Value, op: &str) -> Result<Number, Exception> {
    v.as_number_opt().ok_or_else(|| Exception::error(format!("can't use non-numeric string as operand of \"{op}\"")))
}

pub fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, Exception> {
    use BinOp::*;
    match op {
        StrEq => return Ok(Value::bool(a.as_str() == b.as_str())),
        StrNe => return Ok(Value::bool(a.as_str() != b.as_str())),
        _ => {}
    }
    let x = num(a, op.symbol())?;
    let y = num(b, op.symbol())?;
    match (x, y) {
        (Number::Int(x), Number::Int(y)) => Ok(match op {
            Add => Value::Int(x.wrapping_add(y)),
            Sub => Value::Int(x.wrapping_sub(y)),
            Mul => Value::Int(x.wrapping_mul(y)),
            Div => {
                if y == 0 {
                    return Err(Exception::error_code("divide by zero", &["ARITH", "DIVZERO", "divide by zero"]));
                }
                Value::Int(x.div_euclid(y))
            }
            Mod => {
                if y == 0 {
                    return Err(Exception::error_code("divide by zero", &["ARITH", "DIVZERO", "divide by zero"]));
                }
                Value::Int(x.rem_euclid(y))
            }
            Lt => Value::bool(x < y),
            Gt => Value::bool(x > y),
            Le => Value::bool(x <= y),
            Ge => Value::bool(x >= y),
            Eq => Value::bool(x == y),
            Ne => Value::bool(x != y),
            _ => return Err(Exception::error("stub op")),
        }),
        (x, y) => {
            let f = |n: Number| match n {
                Number::Int(i) => i as f64,
                Number::Double(d) => d,
                Number::Big(_) => 0.0,
            };
            let (x, y) = (f(x), f(y));
            Ok(match op {
                Add => Value::Double(x + y),
                Sub => Value::Double(x - y),
                Mul => Value::Double(x * y),
                Div => Value::Double(x / y),
                Lt => Value::bool(x < y),
                Gt => Value::bool(x > y),
                Le => Value::bool(x <= y),
                Ge => Value::bool(x >= y),
                Eq => Value::bool(x == y),
                Ne => Value::bool(x != y),
                _ => return Err(Exception::error("stub op")),
            })
        }
    }
}

pub fn unary(op: UnOp, a: &Value) -> Result<Value, Exception> {
    match op {
        UnOp::Not => Ok(Value::bool(!a.as_bool()?)),
        UnOp::Neg => match num(a, "-")? {
            Number::Int(i) => Ok(Value::Int(i.wrapping_neg())),
            Number::Double(d) => Ok(Value::Double(-d)),
            Number::Big(b) => Ok(Value::big(-b)),
        },
        UnOp::Plus => Ok(Value::from_number(num(a, "+")?)),
        UnOp::BitNot => Ok(Value::Int(!a.as_int()?)),
    }
}

pub fn math_func(name: &str, args: &[Value], _rng: &mut u64) -> Result<Value, Exception> {
    match (name, args) {
        ("abs", [a]) => Ok(match num(a, "abs")? {
            Number::Int(i) => Value::Int(i.abs()),
            Number::Double(d) => Value::Double(d.abs()),
            Number::Big(b) => Value::big(if b < 0.into() { -b } else { b }),
        }),
        ("double", [a]) => Ok(Value::Double(a.as_double()?)),
        ("sqrt", [a]) => Ok(Value::Double(a.as_double()?.sqrt())),
        _ => Err(Exception::error(format!("invalid command name \"tcl::mathfunc::{name}\""))),
    }
}

pub fn to_numeric_result(v: Value) -> Value {
    match &v {
        Value::Obj(_) => match v.as_number_opt() {
            Some(n) => Value::from_number(n),
            None => v,
        },
        _ => v,
    }
}
