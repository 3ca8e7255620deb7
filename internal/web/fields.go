package web

// Field is what the input, textarea, radios and checkboxes partials take.
type Field struct {
	Name, Label, Type, Value, Error, Hint string
	Autocomplete, Inputmode, Width        string
	Small                                 bool
	Options                               []Option
}

// Option is one radio or checkbox.
type Option struct {
	Value, Label string
	Checked      bool
}

// field builds a Field from a form: its value and its problem.
func field(f *Form, name, label, typ string) Field {
	if f == nil {
		f = NewForm(nil)
	}
	return Field{Name: name, Label: label, Type: typ, Value: f.Get(name), Error: f.Errors[name]}
}

// With is a chainable setter for the template: (field …).With "Hint" "…".
func (x Field) With(key, value string) Field {
	switch key {
	case "Hint":
		x.Hint = value
	case "Autocomplete":
		x.Autocomplete = value
	case "Inputmode":
		x.Inputmode = value
	case "Width":
		x.Width = value
	case "Small":
		x.Small = value == "true"
	}
	return x
}

// WithOptions sets radio or checkbox options, marking the form's values.
func (x Field) WithOptions(f *Form, opts []Option) Field {
	for i := range opts {
		if f != nil && f.Has(x.Name, opts[i].Value) {
			opts[i].Checked = true
		}
	}
	x.Options = opts
	return x
}
