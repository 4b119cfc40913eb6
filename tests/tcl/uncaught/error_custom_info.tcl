puts start
error "message" "custom errorInfo text\n    with a second line"
