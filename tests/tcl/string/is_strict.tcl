foreach cls {integer double boolean alpha digit alnum space upper lower true false wideinteger entier xdigit list ascii print wordchar} {
    puts "$cls: empty=[string is $cls {}] strict=[string is $cls -strict {}]"
}
