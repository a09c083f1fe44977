package storetest

// onerosterTests is the oneroster domain's part of the contract suite.
var onerosterTests = []subTest{}
