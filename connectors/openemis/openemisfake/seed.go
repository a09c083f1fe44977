package openemisfake

// Seed fills a fake with one ministry's data: two schools, one of them out
// of scope, a teacher, three students (one transferred out), one class.
func Seed(f *Server) {
	f.Add("academic-periods",
		Row{"id": 10, "code": "2025", "name": "2025-2026", "start_date": "2025-09-01", "end_date": "2026-06-30", "current": 1},
		Row{"id": 9, "code": "2024", "name": "2024-2025", "start_date": "2024-09-01", "end_date": "2025-06-30", "current": 0})
	f.Add("education-grades", Row{"id": 4, "code": "G4", "name": "Grade 4"})
	f.Add("institutions",
		Row{"id": 1, "code": "KAK-01", "name": "Kakuma Primary 1"},
		Row{"id": 2, "code": "KAK-02", "name": "Kakuma Primary 2"})
	f.Add("security-users",
		Row{"id": 100, "openemis_no": "1520000100", "first_name": "Amina", "last_name": "Hassan", "gender_id": 2, "date_of_birth": "2015-03-02", "username": "", "status": 1},
		Row{"id": 101, "openemis_no": "1520000101", "first_name": "Deng", "middle_name": "Garang", "last_name": "Mayen", "gender_id": 1, "date_of_birth": "2014-07-19", "status": 1},
		Row{"id": 102, "openemis_no": "1520000102", "first_name": "Nyakim", "last_name": "Gatluak", "gender_id": 2, "status": 1},
		Row{"id": 200, "openemis_no": "1520000200", "first_name": "John", "last_name": "Okello", "gender_id": 1, "email": "j.okello@example.org", "username": "j.okello", "status": 1})
	f.Add("institution-students",
		Row{"id": 1, "student_id": 100, "institution_id": 1, "education_grade_id": 4, "academic_period_id": 10, "student_status_id": 1},
		Row{"id": 2, "student_id": 101, "institution_id": 1, "education_grade_id": 4, "academic_period_id": 10, "student_status_id": 1},
		Row{"id": 3, "student_id": 102, "institution_id": 1, "education_grade_id": 4, "academic_period_id": 10, "student_status_id": 3})
	f.Add("institution-staff", Row{"id": 1, "staff_id": 200, "institution_id": 1, "staff_status_id": 1})
	f.Add("institution-classes", Row{"id": 50, "name": "4 Blue", "institution_id": 1, "academic_period_id": 10, "education_grade_id": 4, "staff_id": 200})
	f.Add("institution-class-students",
		Row{"id": 1, "student_id": 100, "institution_class_id": 50, "student_status_id": 1},
		Row{"id": 2, "student_id": 101, "institution_class_id": 50, "student_status_id": 1})
}
