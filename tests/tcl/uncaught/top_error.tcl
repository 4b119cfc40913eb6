puts "before"
error "top level failure"
puts "never"
