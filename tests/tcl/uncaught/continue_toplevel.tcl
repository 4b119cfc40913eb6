puts a
continue
puts b
