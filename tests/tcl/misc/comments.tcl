# a comment
puts one ;# trailing comment
# comment with \
  continuation line that is still comment
puts two
    # indented comment
puts three; # another
set x {
# not a comment inside braces
}
puts [string trim $x]
proc p {} {
    # comment in proc { with brace }
    return ok
}
puts [p]
