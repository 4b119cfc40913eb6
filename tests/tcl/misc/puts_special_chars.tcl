puts "tab\there"
puts "cr\rreturn"
puts "unicode: é ü 中 \u2603"
puts "backslash: \\"
puts "multi\nline\noutput"
puts [scan "\x7f" %c]
puts [string repeat "long " 40]
