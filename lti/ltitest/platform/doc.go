// Package platform is a test-only LTI 1.3 platform (an LMS simulator) with
// Moodle, Canvas, Blackboard and Brightspace profiles and fault switches; it
// also plays the browser between the platform and the tool.
package platform
