package storetest

// lrsTests is the lrs domain's part of the contract suite.
var lrsTests = []subTest{}
