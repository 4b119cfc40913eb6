puts [regexp -all -inline {x*} abc]
puts [regexp -all -indices -inline {x*} ab]
puts [regsub -all {x*} abc -]
puts [regexp -all -inline {\b} "ab cd"]
puts [regexp {(a*)b} b all g]
puts "<$all> <$g>"
