proc thrower {code msg} { throw $code $msg }
foreach c {{POSIX ENOENT} {POSIX EACCES} {ARITH DIVZERO} {OTHER}} {
    try {
        thrower $c "error $c"
    } trap {POSIX ENOENT} {m} {
        puts "enoent: $m"
    } trap {POSIX} {m o} {
        puts "posix: $m [dict get $o -errorcode]"
    } trap {ARITH} {m} {
        puts "arith: $m"
    } on error {m} {
        puts "generic: $m"
    }
}
try { expr {1/0} } trap {ARITH DIVZERO} {m} { puts "divzero: $m" }
try { error plain } trap {} {m} { puts "empty pattern traps all: $m" }
try { set nosuch } trap {TCL LOOKUP VARNAME} {m} { puts "lookup: $m" }
try { nosuchcmd } trap {TCL LOOKUP COMMAND} {m o} { puts "cmd: $m / [dict get $o -errorcode]" }
