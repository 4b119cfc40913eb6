set v "with \"quotes\""
puts [subst {value is $v}]
puts [subst {"[string toupper abc]"}]
puts [subst {{$v}}]
puts [subst {[list "a b"]}]
puts [subst {[format %05d 42]}]
