puts out
exit 42
