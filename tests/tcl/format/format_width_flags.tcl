foreach f {%d %5d %-5d %05d %+5d {% 5d} %+-5d %-05d} {
    puts [format "%-6s <%s> <%s>" $f [format $f 42] [format $f -42]]
}
foreach f {%f %.1f %10.3f %-10.3f %+f %010.2f} {
    puts [format "%-8s <%s>" $f [format $f 2.71828]]
}
