proc p {} {set x 1 ;   set y 2
	return "tab-indented"
}
puts [string length [info body p]]
puts [info body p]
proc q {a} "return \$a"
puts [info body q]
puts [q hi]
