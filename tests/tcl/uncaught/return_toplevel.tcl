puts a
return
puts b
