// Package forward sends a tenant's statements on to downstream LRSs (store and forward), exports them and erases a learner's record.
package forward
