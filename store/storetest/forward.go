package storetest

// forwardTests is the forward domain's part of the contract suite.
var forwardTests = []subTest{}
