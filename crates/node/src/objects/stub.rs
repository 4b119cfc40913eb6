//! Rust servants from a trait: [`object_interface!`](crate::object_interface)
//! turns a trait into
//!
//! - the trait itself (every method returning `Result<T, String>`; an `Err`
//!   is the call's error, as a Tcl servant's error is);
//! - a server skeleton, `SKELETON<T>(pub T)`, a [`Servant`](super::servant::Servant)
//!   that unmarshals a call's arguments, calls the method of the wrapped
//!   value and marshals its result;
//! - a client stub, `STUB { client, target, deadline }`, whose async methods
//!   marshal their arguments, invoke the object (following moves) and
//!   unmarshal the answer.
//!
//! An optional `read_only m1, m2;` after the skeleton names the methods
//! whose results clients may cache (`Servant::read_only_methods`).
//!
//! Marshalling is the objects' wire form: every argument and result is a
//! string (`ToString` out, `FromStr` in), so a stub can call a Tcl servant
//! with the same methods, and `itin call` can call a Rust servant.
//!
//! ```
//! itinerant_node::object_interface! {
//!     /// An account.
//!     pub trait Account {
//!         fn deposit(&mut self, amount: i64) -> i64;
//!         fn owner(&mut self) -> String;
//!     }
//!     stub AccountStub;
//!     skeleton AccountSkeleton;
//! }
//! struct Mine(i64);
//! impl Account for Mine {
//!     fn deposit(&mut self, amount: i64) -> Result<i64, String> {
//!         self.0 += amount;
//!         Ok(self.0)
//!     }
//!     fn owner(&mut self) -> Result<String, String> {
//!         Ok("me".into())
//!     }
//! }
//! use itinerant_node::objects::servant::{CallControl, Servant};
//! let mut skeleton = AccountSkeleton(Mine(1));
//! let ctl = CallControl::new(std::time::Duration::from_secs(1));
//! assert_eq!(skeleton.call("deposit", &["41".into()], &ctl), Ok("42".into()));
//! ```

use std::str::FromStr;

use super::client::CallError;

/// An argument or result in its wire form.
pub fn marshal<T: ToString>(value: &T) -> String {
    value.to_string()
}

/// The next argument of a call, as a `T`.
pub fn unmarshal<'a, T: FromStr>(args: &mut impl Iterator<Item = &'a String>, name: &str) -> Result<T, String> {
    let text = args.next().ok_or_else(|| format!("missing argument \"{name}\""))?;
    text.parse().map_err(|_| format!("bad argument \"{name}\": \"{text}\""))
}

/// Checks that a call had no arguments beyond the method's.
pub fn no_more<'a>(mut args: impl Iterator<Item = &'a String>, method: &str) -> Result<(), String> {
    match args.next() {
        None => Ok(()),
        Some(_) => Err(format!("too many arguments to \"{method}\"")),
    }
}

/// A stub's result from its wire form.
pub fn parse_result<T: FromStr>(text: &str) -> Result<T, CallError> {
    text.parse().map_err(|_| CallError::Failed(format!("bad result \"{text}\"")))
}

/// See the module documentation.
#[macro_export]
macro_rules! object_interface {
    (
        $(#[$meta:meta])*
        $vis:vis trait $name:ident {
            $( $(#[$mmeta:meta])* fn $method:ident(&mut self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty; )*
        }
        stub $stub:ident;
        skeleton $skel:ident;
        $( read_only $($ro:ident),* ; )?
    ) => {
        $(#[$meta])*
        $vis trait $name: Send {
            $( $(#[$mmeta])* fn $method(&mut self $(, $arg: $ty)*) -> ::std::result::Result<$ret, String>; )*
        }

        /// The server skeleton: a servant serving the wrapped value.
        $vis struct $skel<T: $name>(pub T);

        impl<T: $name> $crate::objects::servant::Servant for $skel<T> {
            fn call(
                &mut self,
                method: &str,
                args: &[String],
                _ctl: &$crate::objects::servant::CallControl,
            ) -> ::std::result::Result<String, String> {
                match method {
                    $( stringify!($method) => {
                        #[allow(unused_mut)]
                        let mut rest = args.iter();
                        $( let $arg: $ty = $crate::objects::stub::unmarshal(&mut rest, stringify!($arg))?; )*
                        $crate::objects::stub::no_more(rest, stringify!($method))?;
                        self.0.$method($($arg),*).map(|r| $crate::objects::stub::marshal(&r))
                    } )*
                    other => Err(format!("no method \"{other}\"")),
                }
            }

            fn read_only_methods(&self) -> Vec<String> {
                vec![$($(stringify!($ro).to_string()),*)?]
            }
        }

        /// The client stub: calls the object at `target` through `client`.
        #[derive(Clone)]
        $vis struct $stub {
            pub client: $crate::objects::client::ObjectClient,
            pub target: $crate::objects::reference::ObjectRef,
            pub deadline: ::std::time::Duration,
        }

        impl $stub {
            $(
                pub async fn $method(&self $(, $arg: $ty)*)
                    -> ::std::result::Result<$ret, $crate::objects::client::CallError>
                {
                    let args: Vec<String> = vec![$($crate::objects::stub::marshal(&$arg)),*];
                    let text = self.client.invoke(&self.target, stringify!($method), &args, self.deadline).await?;
                    $crate::objects::stub::parse_result(&text)
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::super::servant::{CallControl, Servant};
    use calc::{Calc, CalcSkeleton};
    use std::time::Duration;

    /// (The stub is used by the integration tests and the example.)
    #[allow(dead_code)]
    mod calc {
        crate::object_interface! {
            pub trait Calc {
                fn add(&mut self, a: i64, b: i64) -> i64;
                fn name(&mut self) -> String;
                fn fail(&mut self) -> bool;
            }
            stub CalcStub;
            skeleton CalcSkeleton;
            read_only add, name;
        }
    }

    struct Impl;

    impl Calc for Impl {
        fn add(&mut self, a: i64, b: i64) -> Result<i64, String> {
            Ok(a + b)
        }
        fn name(&mut self) -> Result<String, String> {
            Ok("calc".into())
        }
        fn fail(&mut self) -> Result<bool, String> {
            Err("failed on purpose".into())
        }
    }

    #[test]
    fn the_skeleton_unmarshals_calls_and_refuses_bad_ones() {
        let mut s = CalcSkeleton(Impl);
        let ctl = CallControl::new(Duration::from_secs(1));
        let call = |s: &mut CalcSkeleton<Impl>, m: &str, a: &[&str]| {
            s.call(m, &a.iter().map(|x| x.to_string()).collect::<Vec<_>>(), &ctl)
        };
        assert_eq!(call(&mut s, "add", &["2", "40"]), Ok("42".into()));
        assert_eq!(call(&mut s, "name", &[]), Ok("calc".into()));
        assert_eq!(call(&mut s, "fail", &[]), Err("failed on purpose".into()));
        assert_eq!(call(&mut s, "add", &["2"]), Err("missing argument \"b\"".into()));
        assert_eq!(call(&mut s, "add", &["2", "x"]), Err("bad argument \"b\": \"x\"".into()));
        assert_eq!(call(&mut s, "add", &["1", "2", "3"]), Err("too many arguments to \"add\"".into()));
        assert_eq!(call(&mut s, "sub", &[]), Err("no method \"sub\"".into()));
        assert_eq!(s.read_only_methods(), ["add", "name"]);
    }
}
